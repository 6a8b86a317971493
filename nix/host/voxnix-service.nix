# services.voxnix: the voxnix daemon (Telegram bot + orchestrator) on a NixOS host, driving
# extra-container, ZFS and Tailscale. Configuration is rendered to JSON and passed through
# VOXNIX_CONFIG; secrets stay out of the store and come from `environmentFile` or `*File`
# settings (agenix paths).
{
  config,
  lib,
  pkgs,
  ...
}:
let
  cfg = config.services.voxnix;
  json = pkgs.formats.json { };
  appRoot = "${cfg.package}/lib/node_modules/voxnix";

  # Typed options override the freeform settings of the same key.
  effectiveSettings = lib.recursiveUpdate cfg.settings (
    {
      backend = "nixos";
      stateDir = cfg.stateDir;
      storage = {
        driver = "zfs";
        zfs.pool = cfg.pool;
        # Workspaces are mounted below it, and the app must agree with the host about where.
        zfs.mountpoint = cfg.poolMountpoint;
      };
      nixos = {
        hostBridge = cfg.bridge;
        # Generated container wrappers import nix/lib from the installed package.
        flakePath = appRoot;
      };
      telegram = lib.filterAttrs (_: value: value != null) {
        inherit (cfg.telegram) mode;
        tokenFile = cfg.telegram.tokenFile;
      };
      llm = lib.filterAttrs (_: value: value != null) {
        inherit (cfg.llm) provider;
        inherit (cfg.llm) model baseUrl apiKeyFile;
      };
    }
    // lib.optionalAttrs (cfg.tailscale.oauthClientId != null) {
      tailscale = {
        inherit (cfg.tailscale) oauthClientId oauthClientSecretFile tags;
      };
    }
  );
  configFile = json.generate "voxnix.json" effectiveSettings;

  # Every host program voxnix runs, and what extra-container itself calls.
  hostTools = [
    cfg.package
    cfg.extraContainerPackage
    config.systemd.package # systemctl, machinectl, journalctl, systemd-run
    config.nix.package
    config.boot.zfs.package
    pkgs.tailscale
    pkgs.util-linux # mount, findmnt
    pkgs.coreutils
    pkgs.iproute2
    pkgs.gnugrep
    pkgs.gnused
    pkgs.findutils
    pkgs.bash
    pkgs.sudo # extra-container re-execs through sudo when not root; harmless as root
    pkgs.which
    # nixos-container as the containers module builds it (its state and config paths
    # match the host's), plus anything else the system profile provides.
    "/run/current-system/sw"
  ];
in
{
  options.services.voxnix = {
    enable = lib.mkEnableOption "voxnix, the chat-driven container appliance";

    package = lib.mkOption {
      type = lib.types.package;
      description = "The voxnix package (the flake sets its own build as the default).";
    };

    extraContainerPackage = lib.mkOption {
      type = lib.types.package;
      default = pkgs.extra-container;
      defaultText = lib.literalExpression "pkgs.extra-container";
      description = "extra-container (the flake sets the version from its extra-container input).";
    };

    settings = lib.mkOption {
      type = json.type;
      default = { };
      example = lib.literalExpression ''
        {
          users.admins = [ "telegram:123456789" ];
          resources.maxMemory = "8G";
          nixos.images = [ [ "git" "fish" "workspace" ] ];
        }
      '';
      description = ''
        voxnix configuration (see src/app/config-schema.ts and docs/configuration.md),
        rendered to JSON and passed as VOXNIX_CONFIG. It ends up in the world-readable Nix
        store, so never put secret values here: use the `*File` keys or `environmentFile`.
        The typed options below (pool, bridge, stateDir, telegram, llm) take precedence.
      '';
    };

    environmentFile = lib.mkOption {
      type = lib.types.nullOr lib.types.str;
      default = null;
      example = "/run/agenix/voxnix-env";
      description = ''
        A file of KEY=VALUE lines loaded into the service's environment, for secrets such as
        VOXNIX_TELEGRAM_TOKEN, VOXNIX_LLM_API_KEY and VOXNIX_TELEGRAM_WEBHOOK_SECRET. Read
        by systemd at start; never copied into the store. A string, not a path, on purpose.
      '';
    };

    pool = lib.mkOption {
      type = lib.types.strMatching "[A-Za-z0-9_.-]+";
      default = "tank";
      description = "ZFS pool holding `<pool>/users/<user>/containers/<name>/workspace` datasets.";
    };

    poolMountpoint = lib.mkOption {
      type = lib.types.str;
      default = "/${cfg.pool}";
      defaultText = lib.literalExpression ''"/''${config.services.voxnix.pool}"'';
      description = "Where the pool's datasets are mounted; voxnix mounts workspaces below it (passed to the app as storage.zfs.mountpoint).";
    };

    bridge = lib.mkOption {
      type = lib.types.strMatching "[A-Za-z0-9_.-]{1,15}";
      default = "br-vox";
      description = "Host bridge every container's veth is attached to (DHCP and NAT live there).";
    };

    stateDir = lib.mkOption {
      type = lib.types.str;
      default = "/var/lib/voxnix";
      description = "Database, generated container specs and per-container secret files.";
    };

    tailscaleAuthKeyFile = lib.mkOption {
      type = lib.types.nullOr lib.types.str;
      default = null;
      description = ''
        Removed: a reusable auth key copied into containers lets root in any of them add
        devices to the tailnet. Use services.voxnix.tailscale.oauthClientId,
        oauthClientSecretFile and tags; voxnix then mints one single-use key per container.
      '';
    };

    tailscale = {
      oauthClientId = lib.mkOption {
        type = lib.types.nullOr (lib.types.strMatching "[A-Za-z0-9_-]{1,128}");
        default = null;
        example = "kAbCdEf1CNTRL";
        description = "Tailscale OAuth client id (scope auth_keys, owning `tags`). Without it, the tailscale module is unavailable.";
      };
      oauthClientSecretFile = lib.mkOption {
        type = lib.types.nullOr lib.types.str;
        default = null;
        example = "/run/agenix/tailscale-oauth-secret";
        description = "File holding the OAuth client's secret (read by voxnix only to request an access token; never enters a container).";
      };
      tags = lib.mkOption {
        type = lib.types.listOf (lib.types.strMatching "tag:[A-Za-z0-9][A-Za-z0-9-]*");
        default = [ "tag:voxnix" ];
        description = "Tags every minted key (and so every container's node) carries; the OAuth client must own them.";
      };
    };

    telegram = {
      mode = lib.mkOption {
        type = lib.types.enum [ "polling" "webhook" ];
        default = "polling";
        description = "How the bot receives updates.";
      };
      tokenFile = lib.mkOption {
        type = lib.types.nullOr lib.types.str;
        default = null;
        example = "/run/agenix/telegram-token";
        description = "File holding the bot token (or set VOXNIX_TELEGRAM_TOKEN in environmentFile).";
      };
    };

    llm = {
      provider = lib.mkOption {
        type = lib.types.enum [ "none" "anthropic" "openai" "openai-compatible" ];
        default = "none";
        description = "The model provider; `none` uses the offline intent engine only.";
      };
      model = lib.mkOption {
        type = lib.types.nullOr lib.types.str;
        default = null;
        description = "Model name for the provider.";
      };
      baseUrl = lib.mkOption {
        type = lib.types.nullOr lib.types.str;
        default = null;
        description = "Base URL for `openai-compatible` providers.";
      };
      apiKeyFile = lib.mkOption {
        type = lib.types.nullOr lib.types.str;
        default = null;
        description = "File holding the API key (or set VOXNIX_LLM_API_KEY in environmentFile).";
      };
    };
  };

  config = lib.mkIf cfg.enable {
    assertions = [
      {
        assertion = config.boot.enableContainers;
        message = "services.voxnix needs boot.enableContainers = true (the container@ unit template).";
      }
      {
        assertion = lib.elem "/etc/systemd-mutable/system" config.boot.extraSystemdUnitPaths;
        message = ''services.voxnix needs boot.extraSystemdUnitPaths = [ "/etc/systemd-mutable/system" ] so extra-container can install container units.'';
      }
      {
        # supportedFilesystems is a list in older NixOS and an attribute set in newer ones.
        assertion =
          let filesystems = config.boot.supportedFilesystems; in
          if builtins.isList filesystems then lib.elem "zfs" filesystems else filesystems.zfs or false;
        message = "services.voxnix stores workspaces on ZFS: add \"zfs\" to boot.supportedFilesystems.";
      }
      {
        assertion = cfg.tailscaleAuthKeyFile == null;
        message = "services.voxnix.tailscaleAuthKeyFile is no longer supported (a reusable key in every container): set services.voxnix.tailscale.oauthClientId, oauthClientSecretFile and tags instead.";
      }
      {
        assertion = (cfg.tailscale.oauthClientId == null) == (cfg.tailscale.oauthClientSecretFile == null);
        message = "services.voxnix.tailscale.oauthClientId and oauthClientSecretFile go together.";
      }
      {
        assertion = lib.hasPrefix "/" cfg.stateDir && lib.hasPrefix "/" cfg.poolMountpoint;
        message = "services.voxnix.stateDir and poolMountpoint must be absolute paths.";
      }
    ];

    # Warnings, not assertions: a first install has no secrets yet (agenix needs the new
    # host's key), and the rest of the appliance must still deploy.
    warnings =
      lib.optional (cfg.telegram.tokenFile == null && cfg.environmentFile == null)
        "services.voxnix has no Telegram token: set services.voxnix.telegram.tokenFile or put VOXNIX_TELEGRAM_TOKEN in services.voxnix.environmentFile; the bot will not start until then."
      ++ lib.optional (cfg.llm.provider != "none" && cfg.llm.provider != "openai-compatible" && cfg.llm.apiKeyFile == null && cfg.environmentFile == null)
        "services.voxnix.llm.provider = \"${cfg.llm.provider}\" has no API key: set services.voxnix.llm.apiKeyFile or VOXNIX_LLM_API_KEY in environmentFile.";

    environment.systemPackages = [ cfg.package cfg.extraContainerPackage ];

    # Directories extra-container, the ZFS driver and voxnix expect to exist.
    systemd.tmpfiles.rules = [
      "d ${cfg.stateDir} 0700 root root -"
      "d /etc/systemd-mutable/system 0755 root root -"
      "d /etc/nixos-containers 0755 root root -"
      "d /var/lib/nixos-containers 0700 root root -"
      "d ${cfg.poolMountpoint} 0755 root root -"
    ];

    systemd.services.voxnix = {
      description = "voxnix: chat-driven containers";
      wantedBy = [ "multi-user.target" ];
      wants = [ "network-online.target" ];
      after = [ "network-online.target" "zfs-mount.service" ];
      startLimitIntervalSec = 300;
      startLimitBurst = 5;
      path = hostTools;
      environment = {
        VOXNIX_CONFIG = "${configFile}";
        NODE_ENV = "production";
        # extra-container builds containers with `nix-build '<nixpkgs/nixos>'`.
        NIX_PATH = "nixpkgs=${pkgs.path}";
        # nix writes its cache under $HOME; keep it in the writable state directory.
        HOME = cfg.stateDir;
        XDG_CACHE_HOME = "${cfg.stateDir}/cache";
      };
      # The sandbox (service-sandbox.nix) has no mount namespace, so the workspaces voxnix
      # mounts are the host's mounts, visible to the containers systemd starts.
      serviceConfig = import ./service-sandbox.nix // {
        Type = "exec";
        ExecStart = "${lib.getExe cfg.package} telegram";
        WorkingDirectory = cfg.stateDir;
        EnvironmentFile = lib.optional (cfg.environmentFile != null) cfg.environmentFile;
        Restart = "on-failure";
        RestartSec = "10s";
        # A stop lets running jobs finish (up to 75 s, see docs/telegram.md): SIGTERM goes to
        # voxnix only, not to the host commands of those jobs; whatever is left after 90 s is killed.
        KillMode = "mixed";
        TimeoutStopSec = "90s";
        # Root is required: extra-container, nixos-container, zfs and machinectl all are.
        User = "root";
      };
    };
  };
}
