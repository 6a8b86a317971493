# Validation of a container spec (the parsed spec.json) at evaluation time. Returns the
# spec with module options resolved, or throws a message starting with `voxnix:`.
#
# The TypeScript side validates the same spec first; this is the second line of defence,
# because values from here end up in nspawn flags, unit files and /etc/set-environment,
# where a quote or newline would change meaning. Hence the strict character sets.
{ library, metadata }:
spec:
let
  util = import ./util.nix;
  fail = message: throw "voxnix: ${message}";
  available = util.sortStrings (builtins.attrNames library);
  infoByName = builtins.listToAttrs (map (info: { name = info.name; value = info; }) metadata);

  knownFields = [ "version" "name" "owner" "modules" "moduleOptions" "workspace" "resources" "network" "tailscale" "env" "autoStart" ];
  requiredFields = [ "version" "name" "owner" "modules" "resources" "network" "autoStart" ];

  # nixos-container derives `ve-<name>`/`vb-<name>` (15-byte interface names) from it.
  namePattern = "[a-z0-9]([a-z0-9-]*[a-z0-9])?";
  ownerPattern = "[A-Za-z0-9_.:@-]{1,128}";
  # Absolute, no `..`, no characters that the nspawn flag line or a unit file would interpret.
  pathPattern = "/[A-Za-z0-9._@+/-]*";
  isPath = value: util.matches pathPattern value && builtins.match ".*(^|/)\\.\\.(/|$).*" value == null;
  interfacePattern = "[A-Za-z0-9_.-]{1,15}";
  hostnamePattern = "[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?";
  minimumMemory = 64 * 1024 * 1024;

  isNullOrAttrs = value: value == null || builtins.isAttrs value;
  field = name: spec.${name} or null;

  checkTop =
    let
      missing = builtins.filter (name: !(spec ? ${name})) requiredFields;
      unknown = builtins.filter (name: !(builtins.elem name knownFields)) (builtins.attrNames spec);
    in
    if !(builtins.isAttrs spec) then fail "the container spec must be a JSON object"
    else if missing != [ ] then fail "container spec is missing required fields: ${util.join ", " missing}"
    else if unknown != [ ] then fail "container spec has unknown fields: ${util.join ", " unknown}"
    else if spec.version != 1 then fail "unsupported spec version ${builtins.toJSON spec.version}; this voxnix reads version 1"
    else true;

  checkName =
    if !(builtins.isString spec.name) then fail "spec.name must be a string"
    else if builtins.stringLength spec.name > 11 || builtins.match namePattern spec.name == null then
      fail "spec.name '${spec.name}' is not a valid container name (1-11 characters: a-z, 0-9 and inner hyphens)"
    else true;

  checkOwner =
    if util.matches ownerPattern spec.owner then true
    else fail "spec.owner must be a string of 1-128 characters from A-Z a-z 0-9 _ . : @ -";

  checkModules =
    let
      modules = spec.modules;
      unknown = builtins.filter (module: !(library ? ${module})) modules;
      duplicated = util.duplicates modules;
      conflicting = builtins.filter
        (module: util.any (other: builtins.elem other modules) infoByName.${module}.conflicts)
        modules;
    in
    if !(builtins.isList modules) || !(util.all builtins.isString modules) then fail "spec.modules must be a list of strings"
    else if unknown != [ ] then fail "unknown module ${util.quoteList unknown}. Available: ${util.join ", " available}"
    else if duplicated != [ ] then fail "spec.modules lists ${util.quoteList duplicated} more than once"
    else if conflicting != [ ] then
      let module = builtins.head conflicting; in
      fail "module '${module}' cannot be combined with ${util.quoteList (builtins.filter (other: builtins.elem other modules) infoByName.${module}.conflicts)}"
    else true;

  givenOptions = field "moduleOptions";
  checkModuleOptionsShape =
    if givenOptions == null then true
    else if !(builtins.isAttrs givenOptions) || !(util.all builtins.isAttrs (builtins.attrValues givenOptions)) then
      fail "spec.moduleOptions must be an object of objects"
    else
      let notSelected = builtins.filter (module: !(builtins.elem module spec.modules)) (builtins.attrNames givenOptions); in
      if notSelected != [ ] then fail "spec.moduleOptions has options for ${util.quoteList notSelected}, which is not selected"
      else true;

  checkValue = module: key: option: value:
    let where = "option ${module}.${key}"; in
    if option.type == "port" then
      (if builtins.isInt value && value >= 1 && value <= 65535 then value else fail "${where} must be a port number (1-65535)")
    else if option.type == "int" then
      (if !(builtins.isInt value) then fail "${where} must be a whole number"
      else if option ? min && value < option.min then fail "${where} must be at least ${toString option.min}"
      else if option ? max && value > option.max then fail "${where} must be at most ${toString option.max}"
      else value)
    else if option.type == "string" then
      (if !(builtins.isString value) then fail "${where} must be a string"
      else if builtins.match ".*[\n\r\"\\\\$`].*" value != null then fail "${where} contains a forbidden character"
      else if option ? pattern && builtins.match (patternBody option.pattern) value == null then
        fail "${where} must match ${option.pattern}"
      else value)
    else (if builtins.isBool value then value else fail "${where} must be true or false");

  # Catalog patterns are written for JavaScript (`^…$`); builtins.match always anchors.
  patternBody = pattern:
    let
      withoutStart = if builtins.substring 0 1 pattern == "^" then builtins.substring 1 (builtins.stringLength pattern) pattern else pattern;
    in
    util.removeSuffix "$" withoutStart;

  resolveOptions = module:
    let
      declared = infoByName.${module}.options;
      given = if givenOptions == null then { } else givenOptions.${module} or { };
      unknownKeys = builtins.filter (key: !(declared ? ${key})) (builtins.attrNames given);
    in
    if unknownKeys != [ ] then
      fail "module '${module}' has no option ${util.quoteList unknownKeys}. Its options: ${util.join ", " (builtins.attrNames declared)}"
    else builtins.mapAttrs (key: option: checkValue module key option (given.${key} or option.default)) declared;

  checkWorkspace =
    let workspace = field "workspace"; in
    if !(isNullOrAttrs workspace) then fail "spec.workspace must be an object or null"
    else if workspace != null && !(isPath (workspace.hostPath or null)) then
      fail "spec.workspace.hostPath must be an absolute path without '..' (characters A-Z a-z 0-9 . _ @ + / -)"
    else if workspace == null && builtins.elem "workspace" spec.modules then
      fail "module 'workspace' is selected but spec.workspace.hostPath is missing"
    else true;

  checkResources =
    let resources = spec.resources; in
    if !(builtins.isAttrs resources) then fail "spec.resources must be an object"
    else if !((builtins.isInt (resources.cpus or null) || builtins.isFloat (resources.cpus or null)) && resources.cpus >= 0.01 && resources.cpus <= 1024) then
      fail "spec.resources.cpus must be a number from 0.01 to 1024"
    else if !(builtins.isInt (resources.memoryBytes or null)) || resources.memoryBytes < minimumMemory then
      fail "spec.resources.memoryBytes must be a whole number of bytes, at least ${toString minimumMemory} (64 MiB)"
    # Optional, for specs written before process limits existed.
    else if resources ? pids && !(builtins.isInt resources.pids && resources.pids >= 16 && resources.pids <= 4194304) then
      fail "spec.resources.pids must be a whole number from 16 to 4194304"
    else true;

  checkNetwork =
    if !(builtins.isAttrs spec.network) || !(util.matches interfacePattern (spec.network.hostBridge or null)) then
      fail "spec.network.hostBridge must be an interface name (1-15 characters: A-Z a-z 0-9 _ . -)"
    else true;

  checkTailscale =
    let tailscale = field "tailscale"; in
    if !(isNullOrAttrs tailscale) then fail "spec.tailscale must be an object or null"
    else if builtins.elem "tailscale" spec.modules && tailscale == null then
      fail "module 'tailscale' is selected but spec.tailscale.authKeyFile is missing"
    else if tailscale == null then true
    else if !(isPath (tailscale.authKeyFile or null)) then
      fail "spec.tailscale.authKeyFile must be an absolute path without '..' (characters A-Z a-z 0-9 . _ @ + / -)"
    else if tailscale ? hostname && tailscale.hostname != null && !(util.matches hostnamePattern tailscale.hostname) then
      fail "spec.tailscale.hostname must be a DNS label (a-z, 0-9 and inner hyphens, at most 63 characters)"
    else true;

  checkEnv =
    let env = field "env"; in
    if !(isNullOrAttrs env) then fail "spec.env must be an object or null"
    else if builtins.elem "env" spec.modules && env == null then
      fail "module 'env' is selected but spec.env.hostFile is missing"
    else if env != null && !(isPath (env.hostFile or null)) then
      fail "spec.env.hostFile must be an absolute path without '..' (characters A-Z a-z 0-9 . _ @ + / -)"
    else true;

  checkAutoStart = if builtins.isBool spec.autoStart then true else fail "spec.autoStart must be true or false";

  checks = [
    checkTop checkName checkOwner checkModules checkModuleOptionsShape checkWorkspace
    checkResources checkNetwork checkTailscale checkEnv checkAutoStart
  ];
  # Forced in order, so the first problem is the one reported.
  valid = builtins.foldl' (ok: check: builtins.seq ok check) true checks;
  options = builtins.listToAttrs (map (module: { name = module; value = resolveOptions module; }) spec.modules);
in
builtins.seq valid (builtins.deepSeq options {
  inherit (spec) name owner modules autoStart;
  moduleOptions = options;
  workspace = field "workspace";
  resources = spec.resources;
  hostBridge = spec.network.hostBridge;
  tailscale =
    let tailscale = field "tailscale"; in
    if tailscale == null then null
    else { authKeyFile = tailscale.authKeyFile; hostname = if (tailscale.hostname or null) == null then spec.name else tailscale.hostname; };
  env = field "env";
})
