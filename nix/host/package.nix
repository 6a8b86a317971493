# The voxnix application built with buildNpmPackage. Dependencies come from
# package-lock.json through importNpmLock (no npmDepsHash to keep in sync); the lock has no
# `resolved` URLs, so ./npm-lock.nix adds the registry URLs, pinned by each `integrity`.
# The output keeps nix/ next to the app: the service points nixos.flakePath there, so
# generated container wrappers import the same nix/lib the catalog was generated from.
{
  lib,
  buildNpmPackage,
  importNpmLock,
  nodejs_22,
  python3,
  src,
}:
let
  packageJson = lib.importJSON (src + "/package.json");
  packageLock = import ./npm-lock.nix (lib.importJSON (src + "/package-lock.json"));
in
buildNpmPackage {
  pname = "voxnix";
  inherit (packageJson) version;
  inherit src;
  nodejs = nodejs_22;

  npmDeps = importNpmLock {
    npmRoot = src;
    inherit packageLock;
  };
  npmConfigHook = importNpmLock.npmConfigHook;

  # better-sqlite3 is compiled by node-gyp (python3 + the stdenv's C++ compiler); the
  # sandbox cannot download a prebuilt binary, so ask for a source build straight away.
  nativeBuildInputs = [ python3 ];
  env.npm_config_build_from_source = "true";

  npmBuildScript = "build";

  postInstall = ''
    # `npm pack` decides what is installed, and without a `files` list it honours
    # .gitignore, which excludes dist/. Copy the compiled app (bin/voxnix.js runs
    # dist/adapters/cli/main.js; its tsx fallback is a dev dependency and pruned) and make
    # sure the Nix library with the generated catalog is there too.
    target=$out/lib/node_modules/voxnix
    if [ ! -e "$target/dist/adapters/cli/main.js" ]; then
      cp -r dist "$target/dist"
    fi
    if [ ! -e "$target/nix/lib/mkContainer.nix" ]; then
      cp -r ${src}/nix "$target/nix"
    fi
    test -e "$target/dist/adapters/cli/main.js"
    test -e "$target/nix/modules/catalog.json"
  '';

  meta = {
    description = "Talk to your infrastructure: chat-driven NixOS containers";
    license = lib.licenses.mit;
    mainProgram = "voxnix";
    platforms = lib.platforms.linux;
  };
}
