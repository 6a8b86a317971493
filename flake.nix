{
  description = "voxnix: talk to your infrastructure (chat-driven NixOS containers on a self-hosted appliance)";

  inputs = {
    nixpkgs.url = "github:NixOS/nixpkgs/nixos-unstable";
    disko = {
      url = "github:nix-community/disko";
      inputs.nixpkgs.follows = "nixpkgs";
    };
    agenix = {
      url = "github:ryantm/agenix";
      inputs.nixpkgs.follows = "nixpkgs";
    };
    extra-container = {
      url = "github:erikarvstedt/extra-container";
      inputs.nixpkgs.follows = "nixpkgs";
    };
    # VMs on the appliance (docs/vms.md, "microvm.nix on the appliance").
    microvm = {
      url = "github:microvm-nix/microvm.nix";
      inputs.nixpkgs.follows = "nixpkgs";
    };
  };

  outputs =
    {
      self,
      nixpkgs,
      disko,
      agenix,
      extra-container,
      microvm,
      ...
    }:
    let
      systems = [ "x86_64-linux" "aarch64-linux" ];
      forAllSystems = function: nixpkgs.lib.genAttrs systems (system: function system nixpkgs.legacyPackages.${system});
      voxnixLib = import ./nix/lib;
      parameters = import ./nix/host/appliance/parameters.nix;
    in
    {
      # Pure library (no nixpkgs needed): mkContainer, mkVm, the module library and its catalog;
      # microvmRunner builds one VM's microvm.nix runner with this flake's nixpkgs and microvm.nix
      # (what the microvm runtime runs through nix/lib/microvm-build.nix).
      lib = {
        inherit (voxnixLib) mkContainer fromSpecFile mkVm vmGuest modules catalog paths;
        microvmRunner =
          { specFile, system }:
          import ./nix/lib/microvm-runner.nix {
            inherit specFile system;
            nixosSystem = nixpkgs.lib.nixosSystem;
            microvmModule = microvm.nixosModules.microvm;
          };
      };

      packages = forAllSystems (
        system: pkgs: rec {
          voxnix = pkgs.callPackage ./nix/host/package.nix { src = self; };
          default = voxnix;
        }
      );

      nixosModules.voxnix =
        { lib, pkgs, ... }:
        {
          imports = [ ./nix/host/voxnix-service.nix ];
          services.voxnix.package = lib.mkDefault self.packages.${pkgs.stdenv.hostPlatform.system}.voxnix;
        };
      nixosModules.default = self.nixosModules.voxnix;

      nixosConfigurations.appliance = nixpkgs.lib.nixosSystem {
        inherit (parameters) system;
        modules = [
          disko.nixosModules.disko
          agenix.nixosModules.default
          self.nixosModules.voxnix
          # extra-container from its own flake (newer than nixpkgs' copy).
          { nixpkgs.overlays = [ extra-container.overlays.default ]; }
          # microvm@NAME.service and friends, for the microvm runtime's VMs.
          microvm.nixosModules.host
          ./nix/host/appliance
        ];
      };

      devShells = forAllSystems (
        system: pkgs: {
          default = pkgs.mkShell {
            packages = [
              pkgs.nodejs_22
              pkgs.python3 # node-gyp for better-sqlite3
              pkgs.nix
              pkgs.nixfmt
              pkgs.nixos-anywhere
              agenix.packages.${system}.default
            ];
          };
        }
      );

      checks = forAllSystems (
        system: pkgs:
        import ./nix/checks.nix {
          inherit pkgs system self;
          evalContainers = extra-container.lib.evalContainers;
          inherit nixpkgs;
        }
      );

      formatter = forAllSystems (system: pkgs: pkgs.nixfmt);
    };
}
