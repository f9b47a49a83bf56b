// The 64 SAS emoji of the spec with their French names (matrix-spec data-definitions/sas-emoji.json,
// translated_descriptions.fr): what both devices show side by side during an emoji verification.
// Keyed by the emoji without its variation selector, so the SDK's spelling of the English name
// does not matter. Spec: https://spec.matrix.org/v1.16/client-server-api/#sas-method-emoji
export const SAS_EMOJI_FR: ReadonlyMap<string, string> = new Map([
  ["🐶", "Chien"], // 0 Dog
  ["🐱", "Chat"], // 1 Cat
  ["🦁", "Lion"], // 2 Lion
  ["🐎", "Cheval"], // 3 Horse
  ["🦄", "Licorne"], // 4 Unicorn
  ["🐷", "Cochon"], // 5 Pig
  ["🐘", "Éléphant"], // 6 Elephant
  ["🐰", "Lapin"], // 7 Rabbit
  ["🐼", "Panda"], // 8 Panda
  ["🐓", "Coq"], // 9 Rooster
  ["🐧", "Manchot"], // 10 Penguin
  ["🐢", "Tortue"], // 11 Turtle
  ["🐟", "Poisson"], // 12 Fish
  ["🐙", "Poulpe"], // 13 Octopus
  ["🦋", "Papillon"], // 14 Butterfly
  ["🌷", "Fleur"], // 15 Flower
  ["🌳", "Arbre"], // 16 Tree
  ["🌵", "Cactus"], // 17 Cactus
  ["🍄", "Champignon"], // 18 Mushroom
  ["🌏", "Globe"], // 19 Globe
  ["🌙", "Lune"], // 20 Moon
  ["☁", "Nuage"], // 21 Cloud
  ["🔥", "Feu"], // 22 Fire
  ["🍌", "Banane"], // 23 Banana
  ["🍎", "Pomme"], // 24 Apple
  ["🍓", "Fraise"], // 25 Strawberry
  ["🌽", "Maïs"], // 26 Corn
  ["🍕", "Pizza"], // 27 Pizza
  ["🎂", "Gâteau"], // 28 Cake
  ["❤", "Cœur"], // 29 Heart
  ["😀", "Sourire"], // 30 Smiley
  ["🤖", "Robot"], // 31 Robot
  ["🎩", "Chapeau"], // 32 Hat
  ["👓", "Lunettes"], // 33 Glasses
  ["🔧", "Clé à molette"], // 34 Spanner
  ["🎅", "Père Noël"], // 35 Santa
  ["👍", "Pouce en l’air"], // 36 Thumbs Up
  ["☂", "Parapluie"], // 37 Umbrella
  ["⌛", "Sablier"], // 38 Hourglass
  ["⏰", "Réveil"], // 39 Clock
  ["🎁", "Cadeau"], // 40 Gift
  ["💡", "Ampoule"], // 41 Light Bulb
  ["📕", "Livre"], // 42 Book
  ["✏", "Crayon"], // 43 Pencil
  ["📎", "Trombone"], // 44 Paperclip
  ["✂", "Ciseaux"], // 45 Scissors
  ["🔒", "Cadenas"], // 46 Lock
  ["🔑", "Clé"], // 47 Key
  ["🔨", "Marteau"], // 48 Hammer
  ["☎", "Téléphone"], // 49 Telephone
  ["🏁", "Drapeau"], // 50 Flag
  ["🚂", "Train"], // 51 Train
  ["🚲", "Vélo"], // 52 Bicycle
  ["✈", "Avion"], // 53 Aeroplane
  ["🚀", "Fusée"], // 54 Rocket
  ["🏆", "Trophée"], // 55 Trophy
  ["⚽", "Ballon"], // 56 Ball
  ["🎸", "Guitare"], // 57 Guitar
  ["🎺", "Trompette"], // 58 Trumpet
  ["🔔", "Cloche"], // 59 Bell
  ["⚓", "Ancre"], // 60 Anchor
  ["🎧", "Casque audio"], // 61 Headphones
  ["📁", "Dossier"], // 62 Folder
  ["📌", "Punaise"], // 63 Pin
]);
