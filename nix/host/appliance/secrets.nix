# Secrets with agenix, decrypted at activation to /run/agenix/<name> (root, 0400) with the
# host's SSH key. Each secret is used only if its .age file exists, so the very first
# install (before the host key is known and secrets are encrypted to it) still deploys.
#   secrets/voxnix-env.age         KEY=VALUE lines → services.voxnix.environmentFile
#                                  (VOXNIX_TELEGRAM_TOKEN, VOXNIX_LLM_API_KEY, …)
#   secrets/tailscale-auth-key.age a reusable, ephemeral Tailscale auth key
{ config, lib, ... }:
let
  envSecret = ./secrets/voxnix-env.age;
  tailscaleSecret = ./secrets/tailscale-auth-key.age;
  hasEnv = builtins.pathExists envSecret;
  hasTailscale = builtins.pathExists tailscaleSecret;
in
{
  age.secrets = lib.optionalAttrs hasEnv {
    voxnix-env = { file = envSecret; owner = "root"; mode = "0400"; };
  } // lib.optionalAttrs hasTailscale {
    tailscale-auth-key = { file = tailscaleSecret; owner = "root"; mode = "0400"; };
  };

  services.voxnix.environmentFile = lib.mkIf hasEnv config.age.secrets.voxnix-env.path;
  services.voxnix.tailscaleAuthKeyFile = lib.mkIf hasTailscale config.age.secrets.tailscale-auth-key.path;

  warnings = lib.optional (!hasEnv)
    "nix/host/appliance/secrets/voxnix-env.age does not exist yet: voxnix runs without its Telegram token and API keys (see docs/deploy.md, Secrets).";

  # agenix decrypts during activation, before services (re)start, so the voxnix unit needs
  # no ordering on a separate secrets unit.
}
