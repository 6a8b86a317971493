# agenix rules (used by the `agenix` CLI, not by NixOS): who can decrypt each secret.
# Recipients come from ../parameters.nix. Run `agenix -e voxnix-env.age` in this directory.
let
  parameters = import ../parameters.nix;
  recipients = builtins.filter (key: key != null) [ parameters.secretRecipients.admin parameters.secretRecipients.host ];
in
{
  "voxnix-env.age".publicKeys = recipients;
  "tailscale-oauth-secret.age".publicKeys = recipients;
}
