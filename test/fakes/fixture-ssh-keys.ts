/**
 * Public SSH keys for tests, made with ssh-keygen 9.2 (public halves only; fingerprints from
 * `ssh-keygen -lf`). Tests that need to sign generate their own pairs.
 */
export const ED25519 = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFdy7kfvWCeo99f+SRbrap0jSM7ZBBAMIZqyKU4qnf2k alice@laptop";
export const ED25519_FINGERPRINT = "SHA256:DDbF5DZKr64y7qe1b6X8F6wjQimur3DI+c6c0J7SfmI";
export const ECDSA =
  "ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBHYSaFlkqyVKG/p2rfnFl912nBGRadYjaFV4ZWoDjXHnzDRFJcjsozw7JTuw0uE2JZ51oh9/K4Nnh1/XXYGWHGE=";
export const RSA_2048 =
  "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQCN/jfK0F4PBvVbCzJ3aZfeGPRjK8tBPfPDjprnu37m1VkJ11VbBW/8NjXsXHJYP8ZWlQpErCGKt9fqW7q8Bs6ZJE7Q7XPLbDPLrQQz+RKvckKkG+VDM+uYq1X8fre0fu0JIDBEr0zQDaHFkQiWCTEDymSXllj8Bul2qXWeXwP2FyyNkZZPFchzKOK6XN4Bn10QcEb9OHl2Dj8P51vJZ1HYnbhNVPHSP092uNwyS1Cv+ISZhnhs1+IZCyEVYghR0uBV8LgcK2U+Sn8cdO8M0qi9AUWgEgaJWwuxZlsa68IE3LT2rA9C1xSLxl8mzxDJWGBwrEmSzwH7yn0D/DEauAe5 r";
export const RSA_2048_FINGERPRINT = "SHA256:D3DGc8w6WjZItfcm8Dp0fWNTUiEnEmn0SdIPUzUiIO8";
export const RSA_1024 =
  "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAAAgQC7Ow5v75xXeLtYLP5SN3YnSkEpEYXOY62S1wTqRLzgrIZVxFiUtQvLqK+PWjj6Z5uA+90Hf8+rn+cvfvAJjwV7CSiJEYS9NIjDJTxbF4AcxXDemFFAsr5wi4JsY7ZT6lRArYPWsi38NOg0S4CXx4T/oKIonhZjVphkEoCY+kei3w== weak";
