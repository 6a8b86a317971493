# The voxnix appliance: a NixOS host that runs voxnix, extra-container containers on a
# private bridge, and user workspaces on ZFS. Host-specific values come from
# ./parameters.nix only.
{ config, lib, pkgs, modulesPath, ... }:
let
  parameters = import ./parameters.nix;
in
{
  imports = [
    (modulesPath + "/installer/scan/not-detected.nix")
    ./storage.nix
    ./networking.nix
    ./secrets.nix
  ];

  system.stateVersion = "25.05";
  time.timeZone = parameters.timeZone;
  documentation.enable = false;

  boot.loader.systemd-boot = {
    enable = true;
    configurationLimit = 10;
  };
  boot.loader.efi.canTouchEfiVariables = true;
  boot.initrd.availableKernelModules = parameters.initrdModules;

  # NixOS containers: the container@ template, and the unit directory extra-container
  # installs each container's unit into.
  boot.enableContainers = true;
  boot.extraSystemdUnitPaths = [ "/etc/systemd-mutable/system" ];

  nix.settings = {
    experimental-features = [ "nix-command" "flakes" ];
    # Containers build as root through the daemon; keep what they were built from.
    keep-outputs = true;
    keep-derivations = true;
    trusted-users = [ "root" parameters.adminUser ];
  };
  nix.gc = {
    automatic = true;
    dates = "weekly";
    options = "--delete-older-than 14d";
  };
  # extra-container evaluates `<nixpkgs/nixos>`; pin it to the flake's nixpkgs for admins too.
  nix.nixPath = [ "nixpkgs=${pkgs.path}" ];

  users.mutableUsers = false;
  users.users.root.hashedPassword = "!";
  users.users.${parameters.adminUser} = {
    isNormalUser = true;
    extraGroups = [ "wheel" "systemd-journal" ];
    openssh.authorizedKeys.keys = parameters.adminSshKeys;
    hashedPassword = "!";
  };
  security.sudo.wheelNeedsPassword = false;

  environment.systemPackages = with pkgs; [ git jq htop ];

  services.voxnix = {
    enable = true;
    inherit (parameters) pool;
    bridge = parameters.bridge.name;
    settings.users.admins = parameters.voxnixAdmins;
    llm = {
      provider = parameters.llmProvider;
      model = parameters.llmModel;
      baseUrl = parameters.llmBaseUrl;
    };
  };

  warnings = lib.optional (lib.any (key: lib.hasInfix "REPLACEWITHYOURKEY" key) parameters.adminSshKeys)
    "nix/host/appliance/parameters.nix still has the placeholder adminSshKeys: nobody will be able to log in. Put your public key there before installing.";
}
