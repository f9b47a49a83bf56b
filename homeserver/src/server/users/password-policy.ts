// The password policy every new password meets: registration, password change, shared-secret
// registration and the `entente user add/reset-password` commands.
// Spec: M_WEAK_PASSWORD, https://spec.matrix.org/v1.16/client-server-api/#password-management
// Only a minimum length (NIST SP 800-63B: length matters, composition rules do not).
import { MatrixError } from "../../spec/matrix-error.ts";

export interface PasswordPolicy {
  /** Minimum length in Unicode code points, after NFC normalisation (as the hash sees it). */
  minimumLength: number;
}

export const DEFAULT_PASSWORD_POLICY: PasswordPolicy = { minimumLength: 10 };

/** Throws 400 M_WEAK_PASSWORD when `password` does not meet `policy`. */
export function checkPasswordPolicy(password: string, policy: PasswordPolicy): void {
  const length = [...password.normalize("NFC")].length;
  if (length < policy.minimumLength) {
    throw new MatrixError("M_WEAK_PASSWORD", 400, `The password must be at least ${policy.minimumLength} characters long`);
  }
}
