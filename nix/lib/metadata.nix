# Module metadata for a module directory: each module's `meta` with its `name` added,
# sorted by name, in the shape of the TypeScript `ModuleInfo` (src/domain/catalog.ts).
# Malformed metadata fails here, naming the module, instead of surfacing in TypeScript.
# `catalog.nix` applies this to nix/modules.
{ directory ? ../modules }:
let
  util = import ./util.nix;
  library = import ./modules.nix { inherit directory; };
  namePattern = "[a-z0-9]([a-z0-9-]*[a-z0-9])?";
  optionTypes = [ "port" "int" "string" "boolean" ];
  defaultMatches = type: value:
    if type == "port" || type == "int" then builtins.isInt value
    else if type == "string" then builtins.isString value
    else builtins.isBool value;

  fail = name: message: throw "voxnix: module '${name}': ${message}";

  checkOption = name: key: option:
    if !(builtins.isAttrs option) then fail name "options.${key} must be an attribute set"
    else if !(builtins.elem (option.type or null) optionTypes) then
      fail name "options.${key}.type must be one of ${util.quoteList optionTypes}"
    else if !(option ? default) || !(defaultMatches option.type option.default) then
      fail name "options.${key}.default must be a ${option.type} value"
    else if !(builtins.isString (option.description or null)) then
      fail name "options.${key}.description must be a string"
    else option;

  checkPort = name: options: port:
    if !(builtins.isInt (port.port or null)) then fail name "every ports entry needs an integer `port`"
    else if !(builtins.elem (port.protocol or null) [ "tcp" "udp" ]) then fail name "ports.protocol must be \"tcp\" or \"udp\""
    else if !(builtins.isString (port.description or null)) then fail name "every ports entry needs a `description`"
    else if port ? option && !(options ? ${port.option}) then fail name "ports refers to option '${port.option}', which the module does not declare"
    else port;

  checkStrings = name: field: value:
    if builtins.isList value && util.all builtins.isString value then value
    else fail name "meta.${field} must be a list of strings";

  infoOf = name:
    let
      file = import library.${name};
      meta = file.meta or (fail name "the file must evaluate to { meta = …; module = …; }");
      options = meta.options or { };
    in
    if builtins.match namePattern name == null then fail name "file names must be lowercase and hyphenated"
    else if !(file ? module) then fail name "the file has no `module` attribute"
    else if !(builtins.isString (meta.description or null)) then fail name "meta.description must be a string"
    else {
      inherit name;
      description = meta.description;
      secrets = checkStrings name "secrets" (meta.secrets or [ ]);
      conflicts = checkStrings name "conflicts" (meta.conflicts or [ ]);
      ports = map (checkPort name options) (meta.ports or [ ]);
      options = builtins.mapAttrs (checkOption name) options;
    };
in
map infoOf (util.sortStrings (builtins.attrNames library))
