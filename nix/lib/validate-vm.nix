# Validation of a VM spec for microvm.nix (the parsed vm-spec.json the microvm runtime writes)
# at evaluation time. Returns the spec with defaults filled in, or throws a message starting
# with `voxnix:`.
#
# The TypeScript side validates the same spec first (src/domain/vm-spec.ts and the microvm
# runtime); this is the second line of defence, because values from here end up in QEMU or
# cloud-hypervisor command lines (sizes, paths, interface names) and in files the guest reads
# (SSH keys). Hence the strict character sets, and unknown fields are refused: a private key
# or token cannot ride along in a field this file does not know, so it never reaches the store.
spec:
let
  util = import ./util.nix;
  fail = message: throw "voxnix: ${message}";

  knownFields = [ "version" "kind" "name" "owner" "hypervisor" "cpus" "memoryMiB" "rootDisk" "workspace" "seedDirectory" "network" "sshKeys" "autoStart" ];
  requiredFields = [ "version" "kind" "name" "owner" "hypervisor" "cpus" "memoryMiB" "rootDisk" "workspace" "seedDirectory" "network" "sshKeys" "autoStart" ];
  hypervisors = [ "qemu" "cloud-hypervisor" ];

  # The same name rule as containers, a little longer: the tap interface is `vx-<name>`.
  namePattern = "[a-z0-9]([a-z0-9-]*[a-z0-9])?";
  ownerPattern = "[A-Za-z0-9_.:@-]{1,128}";
  # Absolute, no `..`, no comma (QEMU's option separator), no quote, space or newline.
  pathPattern = "/[A-Za-z0-9._@+/-]*";
  isPath = value: util.matches pathPattern value && builtins.match ".*(^|/)\\.\\.(/|$).*" value == null;
  interfacePattern = "[A-Za-z0-9_.-]{1,15}";
  # A locally administered unicast MAC (second hex digit 2, 6, a or e), lower case.
  macPattern = "[0-9a-f][26ae](:[0-9a-f]{2}){5}";
  # An OpenSSH public key line: type, base64, optional printable comment. No options prefix
  # (`command="…"`) and nothing that could end the line.
  keyPattern = "(ssh-ed25519|ssh-rsa|ecdsa-sha2-nistp(256|384|521)|sk-ssh-ed25519@openssh.com|sk-ecdsa-sha2-nistp256@openssh.com) [A-Za-z0-9+/]+={0,2}( [ -~]{1,200})?";
  pathMessage = "must be an absolute path without '..' (characters A-Z a-z 0-9 . _ @ + / -)";

  field = name: spec.${name} or null;
  isWhole = value: builtins.isInt value;

  checkTop =
    let
      missing = builtins.filter (name: !(spec ? ${name})) requiredFields;
      unknown = builtins.filter (name: !(builtins.elem name knownFields)) (builtins.attrNames spec);
    in
    if !(builtins.isAttrs spec) then fail "the VM spec must be a JSON object"
    else if unknown != [ ] then fail "VM spec has unknown fields: ${util.join ", " unknown} (nothing else, and never a secret, belongs in it)"
    else if missing != [ ] then fail "VM spec is missing required fields: ${util.join ", " missing}"
    else if spec.version != 1 then fail "unsupported VM spec version ${builtins.toJSON spec.version}; this voxnix reads version 1"
    else if spec.kind != "vm" then fail "spec.kind must be \"vm\" (containers go through mkContainer)"
    else true;

  checkName =
    if !(builtins.isString spec.name) then fail "spec.name must be a string"
    else if builtins.stringLength spec.name > 12 || builtins.match namePattern spec.name == null then
      fail "spec.name '${spec.name}' is not a valid VM name (1-12 characters: a-z, 0-9 and inner hyphens)"
    else true;

  checkOwner =
    if util.matches ownerPattern spec.owner then true
    else fail "spec.owner must be a string of 1-128 characters from A-Z a-z 0-9 _ . : @ -";

  checkHypervisor =
    if builtins.elem spec.hypervisor hypervisors then true
    else fail "spec.hypervisor must be one of ${util.quoteList hypervisors}, not ${builtins.toJSON spec.hypervisor}";

  checkSizes =
    if !(isWhole spec.cpus) || spec.cpus < 1 || spec.cpus > 64 then fail "spec.cpus must be a whole number from 1 to 64"
    else if !(isWhole spec.memoryMiB) || spec.memoryMiB < 256 || spec.memoryMiB > 262144 then
      fail "spec.memoryMiB must be a whole number of MiB from 256 to 262144"
    else true;

  checkDisk = where: disk: minimum:
    if !(builtins.isAttrs disk) then fail "${where} must be an object"
    else if !(isPath (disk.image or null)) then fail "${where}.image ${pathMessage}"
    else if !(isWhole (disk.sizeMiB or null)) || disk.sizeMiB < minimum || disk.sizeMiB > 2097152 then
      fail "${where}.sizeMiB must be a whole number of MiB from ${toString minimum} to 2097152"
    else if builtins.attrNames disk != [ "image" "sizeMiB" ] then fail "${where} takes only image and sizeMiB"
    else true;

  checkRootDisk = checkDisk "spec.rootDisk" spec.rootDisk 512;

  # The workspace is a disk image (a volume) or a host directory shared into the guest.
  checkWorkspace =
    let workspace = spec.workspace; in
    if !(builtins.isAttrs workspace) then fail "spec.workspace must be an object"
    else if workspace ? directory then
      (if builtins.attrNames workspace != [ "directory" ] then fail "spec.workspace is either { image, sizeMiB } or { directory }"
      else if !(isPath workspace.directory) then fail "spec.workspace.directory ${pathMessage}"
      else true)
    else checkDisk "spec.workspace" workspace 64;

  checkSeed = if isPath spec.seedDirectory then true else fail "spec.seedDirectory ${pathMessage}";

  checkNetwork =
    let network = spec.network; in
    if !(builtins.isAttrs network) then fail "spec.network must be an object"
    else if (network.type or null) == "user" then
      (if spec.hypervisor != "qemu" then fail "spec.network.type 'user' (user-mode networking) needs the qemu hypervisor; ${spec.hypervisor} has none, use 'tap'"
      else if builtins.attrNames network != [ "sshPort" "type" ] then fail "spec.network of type 'user' takes only type and sshPort"
      else if !(isWhole network.sshPort) || network.sshPort < 1024 || network.sshPort > 65535 then
        fail "spec.network.sshPort must be a port number from 1024 to 65535"
      else true)
    else if (network.type or null) == "tap" then
      (if builtins.attrNames network != [ "interface" "mac" "type" ] then fail "spec.network of type 'tap' takes only type, interface and mac"
      else if !(util.matches interfacePattern network.interface) then
        fail "spec.network.interface must be an interface name (1-15 characters: A-Z a-z 0-9 _ . -)"
      else if !(util.matches macPattern network.mac) then
        fail "spec.network.mac must be a locally administered MAC address in lower case (like 02:00:00:00:00:01)"
      else true)
    else fail "spec.network.type must be 'user' or 'tap'";

  checkSshKeys =
    let keys = spec.sshKeys; in
    if !(builtins.isList keys) || !(util.all builtins.isString keys) then fail "spec.sshKeys must be a list of strings"
    else if builtins.length keys > 16 then fail "spec.sshKeys has ${toString (builtins.length keys)} keys; at most 16"
    else
      let bad = builtins.filter (key: builtins.match keyPattern key == null) keys; in
      if bad != [ ] then fail "spec.sshKeys has an entry that is not an SSH public key line (type, base64 key, optional comment; no options, no private keys)"
      else true;

  checkAutoStart = if builtins.isBool spec.autoStart then true else fail "spec.autoStart must be true or false";

  checks = [ checkTop checkName checkOwner checkHypervisor checkSizes checkRootDisk checkWorkspace checkSeed checkNetwork checkSshKeys checkAutoStart ];
  # Forced in order, so the first problem is the one reported.
  valid = builtins.foldl' (ok: check: builtins.seq ok check) true checks;
in
builtins.seq valid spec
