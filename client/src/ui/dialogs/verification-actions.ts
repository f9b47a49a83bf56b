// Carries out what <ent-verification> asks, through the session's verification port.
import type { VerificationPort } from "../../core/verification-model.ts";
import type { VerificationAction } from "./verification-dialog.ts";

export async function runVerificationAction(port: VerificationPort, action: VerificationAction): Promise<void> {
  switch (action) {
    case "accept":
      return port.accept();
    case "decline":
      return port.cancel();
    case "match":
      return port.match();
    case "mismatch":
      port.mismatch();
      return;
    case "dismiss":
      port.dismiss();
      return;
  }
}
