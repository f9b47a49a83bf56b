// What each capability means, in words an agent understands (French first). Unknown ones are
// shown raw rather than hidden: the agent must see everything the widget asks for.
import { EventDirection, EventKind, MatrixCapabilities, WidgetEventCapability, type Capability } from "matrix-widget-api";

export interface CapabilityLabel { capability: Capability; label: string; sensitive: boolean }

function eventLabel(c: WidgetEventCapability): string {
  const verb = c.direction === EventDirection.Send ? "Envoyer" : "Lire";
  if (c.kind === EventKind.Event && c.eventType === "m.room.message" && c.keyStr !== null) return `${verb} des messages de type « ${c.keyStr} » dans ce salon`;
  const what = c.kind === EventKind.State ? "l'état" : c.kind === EventKind.ToDevice ? "des messages d'appareil à appareil" : "des événements";
  return `${verb} ${what} « ${c.eventType}${c.keyStr !== null ? ` / ${c.keyStr}` : ""} » dans ce salon`;
}

export function labelCapability(capability: Capability): CapabilityLabel {
  if (capability === MatrixCapabilities.AlwaysOnScreen) return { capability, label: "Rester visible en petit quand vous changez de salon", sensitive: false };
  if (capability === MatrixCapabilities.Screenshots) return { capability, label: "Prendre des captures de son propre affichage", sensitive: false };
  if (capability === MatrixCapabilities.RequiresClient) return { capability, label: "Fonctionner uniquement dans un client Matrix", sensitive: false };
  if (capability.startsWith("org.matrix.msc2762.timeline:")) return { capability, label: `Voir l'historique du salon ${capability.slice("org.matrix.msc2762.timeline:".length)}`, sensitive: true };
  const [event] = WidgetEventCapability.findEventCapabilities([capability]);
  if (event !== undefined) return { capability, label: eventLabel(event), sensitive: event.direction === EventDirection.Send };
  return { capability, label: `Capacité inconnue : ${capability}`, sensitive: true };
}
