# `nix flake check`: evaluates mkContainer for every sample spec in test/nix/specs (one of
# them selects every module) exactly the way extra-container does (its evalContainers →
# system.build.etc), so a module that sets a non-existent NixOS option fails here. Only the
# evaluation is checked: the recorded derivation path is stripped of its context, so the
# containers are not built.
{
  pkgs,
  system,
  self,
  nixpkgs,
  evalContainers,
}:
let
  specDirectory = ../test/nix/specs;
  specNames = builtins.filter (name: builtins.match ".*\\.json" name != null) (builtins.attrNames (builtins.readDir specDirectory));
  checkSpec = fileName:
    let
      name = builtins.replaceStrings [ ".json" ] [ "" ] fileName;
      containers = evalContainers {
        inherit system nixpkgs;
        config = import ./lib/extra-container.nix { specFile = specDirectory + "/${fileName}"; };
      };
      etcDrv = builtins.unsafeDiscardStringContext containers.config.system.build.etc.drvPath;
    in
    {
      name = "mkContainer-${name}";
      value = pkgs.runCommand "voxnix-check-mkContainer-${name}" { } ''
        echo ${etcDrv} > $out
      '';
    };
  catalogJson = builtins.toJSON self.lib.catalog;
in
builtins.listToAttrs (map checkSpec specNames)
// {
  # The checked-in catalog must equal the evaluation (`npm run catalog` regenerates it).
  catalog = pkgs.runCommand "voxnix-check-catalog" { nativeBuildInputs = [ pkgs.jq ]; } ''
    diff <(jq -S . ${../nix/modules/catalog.json}) <(echo ${pkgs.lib.escapeShellArg catalogJson} | jq -S .)
    touch $out
  '';
  # The NixOS module and the appliance evaluate (assertions included).
  appliance = pkgs.runCommand "voxnix-check-appliance" { } ''
    echo ${builtins.unsafeDiscardStringContext self.nixosConfigurations.appliance.config.system.build.toplevel.drvPath} > $out
  '';
}
