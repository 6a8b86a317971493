# Secrets with agenix, decrypted at activation to /run/agenix/<name> (root, 0400) with the
# host's SSH key. Each secret is used only if its .age file exists, so the very first
# install (before the host key is known and secrets are encrypted to it) still deploys.
#   secrets/voxnix-env.age         KEY=VALUE lines → services.voxnix.environmentFile
#                                  (VOXNIX_TELEGRAM_TOKEN, VOXNIX_LLM_API_KEY, …)
#   secrets/tailscale-oauth-secret.age the secret of a Tailscale OAuth client (scope auth_keys,
#                                  owning tag:voxnix); voxnix mints one single-use key per container.
#                                  Its client id goes in parameters.nix (tailscaleOAuthClientId).
{ config, lib, ... }:
let
  envSecret = ./secrets/voxnix-env.age;
  tailscaleSecret = ./secrets/tailscale-oauth-secret.age;
  hasEnv = builtins.pathExists envSecret;
  parameters = import ./parameters.nix;
  # Remote access needs both: the client id (not secret) and its encrypted secret.
  hasTailscale = builtins.pathExists tailscaleSecret && parameters.tailscaleOAuthClientId != null;
in
{
  age.secrets = lib.optionalAttrs hasEnv {
    voxnix-env = { file = envSecret; owner = "root"; mode = "0400"; };
  } // lib.optionalAttrs hasTailscale {
    tailscale-oauth-secret = { file = tailscaleSecret; owner = "root"; mode = "0400"; };
  };

  services.voxnix.environmentFile = lib.mkIf hasEnv config.age.secrets.voxnix-env.path;
  services.voxnix.tailscale = lib.mkIf hasTailscale {
    oauthClientId = parameters.tailscaleOAuthClientId;
    oauthClientSecretFile = config.age.secrets.tailscale-oauth-secret.path;
  };

  warnings = lib.optional (!hasEnv)
    "nix/host/appliance/secrets/voxnix-env.age does not exist yet: voxnix runs without its Telegram token and API keys (see docs/deploy.md, Secrets).";

  # agenix decrypts during activation, before services (re)start, so the voxnix unit needs
  # no ordering on a separate secrets unit.
}
