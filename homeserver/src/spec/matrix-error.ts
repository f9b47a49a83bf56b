// One error type for every Matrix API failure; mapped to JSON in one place (the HTTP layer).
// Spec: https://spec.matrix.org/v1.16/client-server-api/#standard-error-response

export type Errcode =
  | "M_FORBIDDEN" | "M_UNKNOWN_TOKEN" | "M_MISSING_TOKEN" | "M_USER_LOCKED" | "M_BAD_JSON" | "M_NOT_JSON"
  | "M_NOT_FOUND" | "M_LIMIT_EXCEEDED" | "M_UNRECOGNIZED" | "M_UNKNOWN" | "M_UNAUTHORIZED"
  | "M_USER_DEACTIVATED" | "M_USER_IN_USE" | "M_INVALID_USERNAME" | "M_ROOM_IN_USE"
  | "M_INVALID_ROOM_STATE" | "M_THREEPID_IN_USE" | "M_SERVER_NOT_TRUSTED" | "M_UNSUPPORTED_ROOM_VERSION"
  | "M_INCOMPATIBLE_ROOM_VERSION" | "M_BAD_STATE" | "M_GUEST_ACCESS_FORBIDDEN" | "M_MISSING_PARAM"
  | "M_THREEPID_DENIED"
  | "M_INVALID_PARAM" | "M_TOO_LARGE" | "M_EXCLUSIVE" | "M_RESOURCE_LIMIT_EXCEEDED"
  | "M_CANNOT_LEAVE_SERVER_NOTICE_ROOM" | "M_WEAK_PASSWORD" | "M_UNABLE_TO_AUTHORISE_JOIN"
  | "M_UNABLE_TO_GRANT_JOIN" | "M_NOT_YET_UPLOADED" | "M_CANNOT_OVERWRITE_MEDIA" | "M_UNKNOWN_POS"
  | "M_URL_NOT_SET" | "M_BAD_ALIAS" | "M_DUPLICATE_ANNOTATION" | "M_INVALID_SIGNATURE"
  // Extended profiles (v1.16): https://spec.matrix.org/v1.16/client-server-api/#put_matrixclientv3profileuseridkeyname
  | "M_PROFILE_TOO_LARGE" | "M_KEY_TOO_LARGE"
  // Application services: ping (v1.7) and device masquerading (v1.17).
  // https://spec.matrix.org/v1.16/application-service-api/#pinging
  | "M_BAD_STATUS" | "M_CONNECTION_FAILED" | "M_CONNECTION_TIMEOUT" | "M_UNKNOWN_DEVICE"
  // Server-side key backups: https://spec.matrix.org/v1.16/client-server-api/#server-side-key-backups
  | "M_WRONG_ROOM_KEYS_VERSION";

export class MatrixError extends Error {
  readonly errcode: Errcode;
  readonly status: number;
  readonly extra: Record<string, unknown>;

  constructor(errcode: Errcode, status: number, message: string, extra: Record<string, unknown> = {}) {
    super(message);
    this.name = "MatrixError";
    this.errcode = errcode;
    this.status = status;
    this.extra = extra;
  }

  toJSON(): Record<string, unknown> {
    return { errcode: this.errcode, error: this.message, ...this.extra };
  }
}

export const badJson = (message: string): MatrixError => new MatrixError("M_BAD_JSON", 400, message);
export const invalidParam = (message: string): MatrixError => new MatrixError("M_INVALID_PARAM", 400, message);
export const forbidden = (message: string): MatrixError => new MatrixError("M_FORBIDDEN", 403, message);
export const notFound = (message: string): MatrixError => new MatrixError("M_NOT_FOUND", 404, message);
