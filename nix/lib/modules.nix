# Discovers the workload module library: every regular file `nix/modules/<name>.nix`
# becomes `<name> = <path>`. Adding a module is adding one file (then `npm run catalog`).
{ directory ? ../modules }:
let
  util = import ./util.nix;
  entries = builtins.readDir directory;
  isModuleFile = fileName: entries.${fileName} == "regular" && util.hasSuffix ".nix" fileName;
  fileNames = builtins.filter isModuleFile (builtins.attrNames entries);
in
builtins.listToAttrs (map (fileName: {
  name = util.removeSuffix ".nix" fileName;
  value = directory + "/${fileName}";
}) fileNames)
