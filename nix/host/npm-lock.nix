# package-lock.json here carries `integrity` but no `resolved` URLs (npm omits them when
# `omit-lockfile-registry-resolved` is set). nixpkgs' importNpmLock fetches each package
# from its `resolved` URL, so this fills in the public registry's canonical tarball URL,
#   https://registry.npmjs.org/<name>/-/<basename>-<version>.tgz
# and keeps `integrity`, which pins the content. Pure: builtins only.
lock:
let
  registry = "https://registry.npmjs.org";
  # "node_modules/a/node_modules/@s/b" → "@s/b"
  packageName = path:
    let parts = builtins.split "node_modules/" path; in
    builtins.elemAt parts (builtins.length parts - 1);
  baseName = name:
    let parts = builtins.split "/" name; in
    builtins.elemAt parts (builtins.length parts - 1);
  needsUrl = path: entry:
    path != "" && !(entry ? resolved) && !(entry.link or false) && entry ? version && entry ? integrity;
  withUrl = path: entry:
    if needsUrl path entry then
      let name = entry.name or (packageName path); in
      entry // { resolved = "${registry}/${name}/-/${baseName name}-${entry.version}.tgz"; }
    else entry;
in
lock // { packages = builtins.mapAttrs withUrl lock.packages; }
