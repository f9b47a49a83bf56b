// Stand-in for @matrix-org/matrix-sdk-crypto-nodejs (0.4.0), wired by the root package.json
// `overrides`. matrix-appservice-bridge -> @vector-im/matrix-bot-sdk requires this package when it is
// loaded (e2ee/CryptoClient.js, e2ee/RustEngine.js), but only uses it when a bot turns on bot-sdk
// encryption, which Entente's bots never do. The real package downloads a native binary in a
// postinstall script, which cannot run here. So: the same export names, constructors that throw.
// Why, and how to remove it: appservices/README.md.
"use strict";

const MESSAGE = "native crypto is not available in Entente: bots use matrix-js-sdk's WebAssembly crypto";

function unavailable(name) {
  // A class, so `instanceof` checks and static lookups in the bot SDK still resolve.
  const Unavailable = class {
    constructor() {
      throw new Error(`${name}: ${MESSAGE}`);
    }
  };
  Object.defineProperty(Unavailable, "name", { value: name });
  return Unavailable;
}

// The numeric values of the real package's enums (index.d.ts of 0.4.0); the bot SDK inlines them
// as const enums, these objects only keep `require(...).RequestType` and the like defined.
const enums = {
  EncryptionAlgorithm: { OlmV1Curve25519AesSha2: 0, MegolmV1AesSha2: 1 },
  ShieldColor: { Red: 0, Grey: 1, None: 2 },
  ShieldStateCode: {
    AuthenticityNotGuaranteed: 0, UnknownDevice: 1, UnsignedDevice: 2, UnverifiedIdentity: 3,
    SentInClear: 4, VerificationViolation: 5, None: 6,
  },
  HistoryVisibility: { Invited: 0, Joined: 1, Shared: 2, WorldReadable: 3 },
  DeviceKeyAlgorithmName: { Ed25519: 0, Curve25519: 1, Unknown: 2 },
  StoreType: { Sqlite: 0 },
  RequestType: {
    KeysUpload: 0, KeysQuery: 1, KeysClaim: 2, ToDevice: 3, SignatureUpload: 4, RoomMessage: 5, KeysBackup: 6,
  },
  SignatureState: { Missing: 0, Invalid: 1, ValidButNotTrusted: 2, ValidAndTrusted: 3 },
};

const classes = [
  "Attachment", "EncryptedAttachment", "BackupDecryptionKey", "MegolmV1BackupKey", "RoomKeyCounts", "BackupKeys",
  "EncryptionSettings", "ShieldState", "UserId", "DeviceId", "DeviceKeyId", "DeviceKeyAlgorithm", "RoomId",
  "ServerName", "OlmMachine", "CrossSigningStatus", "KeysUploadRequest", "KeysQueryRequest", "KeysClaimRequest",
  "ToDeviceRequest", "SignatureUploadRequest", "RoomMessageRequest", "KeysBackupRequest", "DecryptedRoomEvent",
  "DeviceLists", "Signatures", "Signature", "MaybeSignature", "SignatureVerification", "Ed25519PublicKey",
  "Ed25519Signature", "Curve25519PublicKey", "IdentityKeys", "Versions",
];

for (const [name, values] of Object.entries(enums)) module.exports[name] = Object.freeze({ ...values });
for (const name of classes) module.exports[name] = unavailable(name);
// Static factories of the real package (OlmMachine.initialize, Attachment.encrypt...) throw too.
module.exports.OlmMachine.initialize = () => Promise.reject(new Error(`OlmMachine.initialize: ${MESSAGE}`));
module.exports.Attachment.encrypt = () => { throw new Error(`Attachment.encrypt: ${MESSAGE}`); };
module.exports.Attachment.decrypt = () => { throw new Error(`Attachment.decrypt: ${MESSAGE}`); };
module.exports.getVersions = () => { throw new Error(`getVersions: ${MESSAGE}`); };
