// Types of Entente's stand-in (index.js): every class exists but cannot be constructed.
// The bot SDK's own declarations only need the names to resolve.
export declare class Attachment { constructor(...args: never[]); [member: string]: unknown; }
export declare class EncryptedAttachment { constructor(...args: never[]); [member: string]: unknown; }
export declare class BackupDecryptionKey { constructor(...args: never[]); [member: string]: unknown; }
export declare class MegolmV1BackupKey { constructor(...args: never[]); [member: string]: unknown; }
export declare class RoomKeyCounts { constructor(...args: never[]); [member: string]: unknown; }
export declare class BackupKeys { constructor(...args: never[]); [member: string]: unknown; }
export declare class EncryptionSettings { constructor(...args: never[]); [member: string]: unknown; }
export declare class ShieldState { constructor(...args: never[]); [member: string]: unknown; }
export declare class UserId { constructor(...args: never[]); [member: string]: unknown; }
export declare class DeviceId { constructor(...args: never[]); [member: string]: unknown; }
export declare class DeviceKeyId { constructor(...args: never[]); [member: string]: unknown; }
export declare class DeviceKeyAlgorithm { constructor(...args: never[]); [member: string]: unknown; }
export declare class RoomId { constructor(...args: never[]); [member: string]: unknown; }
export declare class ServerName { constructor(...args: never[]); [member: string]: unknown; }
export declare class OlmMachine { constructor(...args: never[]); [member: string]: unknown; }
export declare class CrossSigningStatus { constructor(...args: never[]); [member: string]: unknown; }
export declare class KeysUploadRequest { constructor(...args: never[]); [member: string]: unknown; }
export declare class KeysQueryRequest { constructor(...args: never[]); [member: string]: unknown; }
export declare class KeysClaimRequest { constructor(...args: never[]); [member: string]: unknown; }
export declare class ToDeviceRequest { constructor(...args: never[]); [member: string]: unknown; }
export declare class SignatureUploadRequest { constructor(...args: never[]); [member: string]: unknown; }
export declare class RoomMessageRequest { constructor(...args: never[]); [member: string]: unknown; }
export declare class KeysBackupRequest { constructor(...args: never[]); [member: string]: unknown; }
export declare class DecryptedRoomEvent { constructor(...args: never[]); [member: string]: unknown; }
export declare class DeviceLists { constructor(...args: never[]); [member: string]: unknown; }
export declare class Signatures { constructor(...args: never[]); [member: string]: unknown; }
export declare class Signature { constructor(...args: never[]); [member: string]: unknown; }
export declare class MaybeSignature { constructor(...args: never[]); [member: string]: unknown; }
export declare class SignatureVerification { constructor(...args: never[]); [member: string]: unknown; }
export declare class Ed25519PublicKey { constructor(...args: never[]); [member: string]: unknown; }
export declare class Ed25519Signature { constructor(...args: never[]); [member: string]: unknown; }
export declare class Curve25519PublicKey { constructor(...args: never[]); [member: string]: unknown; }
export declare class IdentityKeys { constructor(...args: never[]); [member: string]: unknown; }
export declare class Versions { constructor(...args: never[]); [member: string]: unknown; }
export type EncryptionAlgorithm = number;
export declare const EncryptionAlgorithm: Readonly<Record<string, number>>;
export type ShieldColor = number;
export declare const ShieldColor: Readonly<Record<string, number>>;
export type ShieldStateCode = number;
export declare const ShieldStateCode: Readonly<Record<string, number>>;
export type HistoryVisibility = number;
export declare const HistoryVisibility: Readonly<Record<string, number>>;
export type DeviceKeyAlgorithmName = number;
export declare const DeviceKeyAlgorithmName: Readonly<Record<string, number>>;
export type StoreType = number;
export declare const StoreType: Readonly<Record<string, number>>;
export type RequestType = number;
export declare const RequestType: Readonly<Record<string, number>>;
export type SignatureState = number;
export declare const SignatureState: Readonly<Record<string, number>>;
export declare function getVersions(): never;
