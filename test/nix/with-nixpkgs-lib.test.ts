/**
 * The service module, the appliance modules and the flake structure evaluated with the real
 * nixpkgs module system. nixpkgs is not available in
 * CI, so this runs only when VOXNIX_NIXPKGS_LIB points at a nixpkgs `lib/` directory (for
 * example a checkout of nix-community/nixpkgs.lib); otherwise it is reported as skipped.
 * The rendered settings are checked against the application's own config schema.
 */
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { configSchema } from "../../src/app/config-schema.js";
import { MOUNT_NAMESPACE_SETTINGS } from "./mount-namespace.js";
import { evalError, evalJson, nixString, nixTestDirectory } from "./nix.js";

const nixpkgsLib = process.env.VOXNIX_NIXPKGS_LIB;
const skip = nixpkgsLib === undefined || !existsSync(join(nixpkgsLib, "default.nix")) ? "set VOXNIX_NIXPKGS_LIB to a nixpkgs lib/ directory to run" : false;
const disko = process.env.VOXNIX_DISKO;
const skipDisko = skip || (disko === undefined || !existsSync(join(disko, "lib", "default.nix")) ? "set VOXNIX_DISKO to a nix-community/disko checkout (and VOXNIX_NIXPKGS_LIB) to run" : false);

interface Evaluation {
  failedAssertions: string[];
  warnings: string[];
  settings: unknown;
  environment: Record<string, string>;
  serviceConfig: Record<string, unknown>;
  path: string[];
  tmpfiles: string[];
  options: string[];
}

function evaluate(extraConfig = "{ }"): Evaluation {
  return evalJson(
    `import ${nixString(join(nixTestDirectory, "service-eval.nix"))} { lib = import ${nixString(nixpkgsLib ?? "")}; extraConfig = ${extraConfig}; }`,
  ) as Evaluation;
}

void describe("services.voxnix with the nixpkgs module system", { skip }, () => {
  void it("declares the documented options", () => {
    const { options } = evaluate();
    for (const option of ["enable", "package", "settings", "environmentFile", "pool", "bridge", "stateDir", "telegram", "llm", "tailscale"]) {
      assert.ok(options.includes(option), `services.voxnix.${option} is missing`);
    }
  });

  void it("renders settings that the application's config schema accepts", () => {
    const evaluation = evaluate(`{ services.voxnix.settings = { users.admins = [ "telegram:42" ]; nixos.hostBridge = "ignored"; }; services.voxnix.bridge = "br-lab"; }`);
    const config = configSchema.parse(evaluation.settings);
    assert.equal(config.backend, "nixos");
    assert.equal(config.storage.driver, "zfs");
    assert.equal(config.nixos.hostBridge, "br-lab", "typed options win over freeform settings");
    assert.deepEqual(config.users.admins, ["telegram:42"]);
    assert.match(config.nixos.flakePath ?? "", /\/lib\/node_modules\/voxnix$/);
    assert.equal(config.storage.zfs.mountpoint, "/tank", "the pool's mount point defaults to /<pool>");
    const moved = configSchema.parse(evaluate(`{ services.voxnix.pool = "data"; services.voxnix.poolMountpoint = "/srv/data"; }`).settings);
    assert.equal(moved.storage.zfs.pool, "data");
    assert.equal(moved.storage.zfs.mountpoint, "/srv/data", "services.voxnix.poolMountpoint reaches the app");
  });

  void it("passes the Tailscale OAuth client to the app and refuses the old reusable key", () => {
    const evaluation = evaluate(`{ services.voxnix.tailscale = { oauthClientId = "kAbc1CNTRL"; oauthClientSecretFile = "/run/agenix/ts"; tags = [ "tag:voxnix" ]; }; }`);
    const config = configSchema.parse(evaluation.settings);
    assert.equal(config.tailscale.oauthClientId, "kAbc1CNTRL");
    assert.equal(config.tailscale.oauthClientSecretFile, "/run/agenix/ts");
    assert.deepEqual(config.tailscale.tags, ["tag:voxnix"]);
    assert.deepEqual(evaluation.failedAssertions, []);
    const old = evaluate(`{ services.voxnix.tailscaleAuthKeyFile = "/run/agenix/key"; }`);
    assert.ok(old.failedAssertions.some((message) => /tailscaleAuthKeyFile is no longer supported/.test(message)));
    const half = evaluate(`{ services.voxnix.tailscale.oauthClientId = "kAbc"; }`);
    assert.ok(half.failedAssertions.some((message) => /go together/.test(message)));
  });

  void it("a NixOS option error in a container names the module file it came from", () => {
    const specFile = join(nixTestDirectory, "specs", "basic.json");
    const message = evalError(`import ${nixString(join(nixTestDirectory, "module-file-eval.nix"))} { lib = import ${nixString(nixpkgsLib ?? "")}; specFile = ${nixString(specFile)}; }`);
    assert.match(message, /The option `programs' does not exist/);
    assert.match(message, /In `[^`']*\/nix\/modules\/(git|fish|workspace)\.nix'/);
    assert.doesNotMatch(message, /<unknown-file>/);
  });

  void it("hardens the unit without a mount namespace, so workspace mounts reach the host", () => {
    const { serviceConfig } = evaluate();
    assert.deepEqual(MOUNT_NAMESPACE_SETTINGS.filter((setting) => setting in serviceConfig), []);
    assert.equal(serviceConfig.NoNewPrivileges, true);
    assert.equal(serviceConfig.User, "root");
    assert.deepEqual(serviceConfig.SystemCallFilter, ["~@clock"]);
    assert.equal(serviceConfig.KillMode, "mixed", "SIGTERM reaches voxnix only, so running jobs can finish");
    assert.equal(serviceConfig.TimeoutStopSec, "90s", "longer than the 75 s voxnix waits for jobs");
  });

  void it("puts every host tool on PATH and nixpkgs on NIX_PATH", () => {
    const { path, environment } = evaluate();
    for (const tool of ["extra-container", "systemd", "nix", "zfs", "tailscale", "util-linux", "coreutils", "iproute2"]) {
      assert.ok(path.some((entry) => entry.endsWith(`-${tool}`)), `${tool} is not on PATH`);
    }
    assert.match(environment.NIX_PATH ?? "", /^nixpkgs=\/nix\/store\//);
  });

  void it("loads the environment file and warns without a Telegram token", () => {
    assert.deepEqual(evaluate(`{ services.voxnix.environmentFile = "/run/agenix/voxnix-env"; }`).serviceConfig.EnvironmentFile, ["/run/agenix/voxnix-env"]);
    assert.match(evaluate().warnings.join("\n"), /no Telegram token/);
    assert.deepEqual(evaluate(`{ services.voxnix.telegram.tokenFile = "/run/agenix/token"; }`).warnings, []);
  });

  void it("asserts the host prerequisites with clear messages", () => {
    // `{ _type = "override"; … }` is what lib.mkForce produces.
    const failed = evaluate(`{ boot.enableContainers = { _type = "override"; priority = 50; content = false; }; }`).failedAssertions;
    assert.deepEqual(failed, ["services.voxnix needs boot.enableContainers = true (the container@ unit template)."]);
  });
});

interface ApplianceEvaluation {
  failedAssertions: string[];
  warnings: string[];
  networking: Record<string, any>;
  bridgeIsolation: Record<string, any>;
  disko: Record<string, any>;
  boot: Record<string, any>;
  users: Record<string, any>;
  dnsmasq: Record<string, any>;
  openssh: Record<string, any>;
  voxnixSettings: unknown;
}

void describe("the appliance's own modules with the nixpkgs module system", { skip }, () => {
  const parameters = evalJson(`import ${nixString(join(nixTestDirectory, "../../nix/host/appliance/parameters.nix"))}`) as Record<string, any>;
  const appliance = () =>
    evalJson(`import ${nixString(join(nixTestDirectory, "appliance-eval.nix"))} { lib = import ${nixString(nixpkgsLib ?? "")}; }`) as ApplianceEvaluation;

  void it("evaluates with no failed assertion and warns about the placeholders", () => {
    const evaluation = appliance();
    assert.deepEqual(evaluation.failedAssertions, []);
    assert.ok(evaluation.warnings.some((warning) => warning.includes("placeholder adminSshKeys")));
    assert.ok(evaluation.warnings.some((warning) => warning.includes("voxnix-env.age does not exist yet")));
  });

  void it("takes host-specific values from parameters.nix", () => {
    const evaluation = appliance();
    assert.equal(evaluation.networking.hostId, parameters.hostId);
    assert.equal(evaluation.disko.devices.disk.main.device, parameters.disk);
    assert.ok(evaluation.disko.devices.zpool[parameters.pool], "the pool is named from parameters");
    assert.deepEqual(evaluation.users.users[parameters.adminUser].openssh.authorizedKeys.keys, parameters.adminSshKeys);
    assert.equal(evaluation.networking.nat.externalInterface, parameters.interface);
  });

  void it("enables containers with extra-container's unit path", () => {
    const { boot } = appliance();
    assert.equal(boot.enableContainers, true);
    assert.deepEqual(boot.extraSystemdUnitPaths, ["/etc/systemd-mutable/system"]);
  });

  void it("serves DHCP on the bridge, NATs it, and lets it reach only DHCP and DNS", () => {
    const { dnsmasq, networking } = appliance();
    assert.equal(dnsmasq.settings.interface, parameters.bridge.name);
    assert.deepEqual(networking.nat.internalInterfaces, [parameters.bridge.name]);
    assert.deepEqual(networking.firewall.interfaces[parameters.bridge.name], { allowedUDPPorts: [53, 67], allowedTCPPorts: [53] });
    assert.equal(networking.firewall.trustedInterfaces, undefined, "the bridge is not trusted");
  });

  void it("isolates containers from each other on the bridge (nftables bridge table, no bridge-to-bridge routing)", () => {
    const { bridgeIsolation, networking } = appliance();
    assert.deepEqual(bridgeIsolation.wantedBy, ["multi-user.target"]);
    assert.match(bridgeIsolation.serviceConfig.ExecStart, /-nftables\/bin\/nft -f table bridge voxnix_isolation/);
    assert.match(bridgeIsolation.serviceConfig.ExecStart, /iifname "vb-\*" oifname "vb-\*" drop/);
    assert.match(bridgeIsolation.serviceConfig.ExecStop, /nft delete table bridge voxnix_isolation$/);
    assert.match(networking.firewall.extraCommands, new RegExp(`iptables -I FORWARD -i ${parameters.bridge.name} -o ${parameters.bridge.name} -j DROP`));
    assert.match(networking.firewall.extraStopCommands, new RegExp(`iptables -D FORWARD -i ${parameters.bridge.name} -o ${parameters.bridge.name} -j DROP`));
  });

  void it("allows SSH from the LAN only, key-only, for the admin", () => {
    const { networking, openssh } = appliance();
    assert.equal(openssh.openFirewall, false);
    assert.ok(networking.firewall.extraCommands.includes(`-i ${parameters.interface} -s ${parameters.lanCidr} -p tcp --dport 22 -j nixos-fw-accept`));
    assert.equal(openssh.settings.PasswordAuthentication, false);
    assert.deepEqual(openssh.settings.AllowUsers, [parameters.adminUser]);
  });

  void it("configures voxnix for the nixos backend on ZFS", () => {
    const config = configSchema.parse(appliance().voxnixSettings);
    assert.equal(config.backend, "nixos");
    assert.equal(config.storage.zfs.pool, parameters.pool);
    assert.equal(config.nixos.hostBridge, parameters.bridge.name);
  });
});

void describe("the appliance's disk layout with real disko", { skip: skipDisko }, () => {
  void it("type-checks and mounts the ESP and the pool's legacy datasets", () => {
    const parameters = evalJson(`import ${nixString(join(nixTestDirectory, "../../nix/host/appliance/parameters.nix"))}`) as Record<string, any>;
    const pool = parameters.pool as string;
    const fileSystems = evalJson(
      `import ${nixString(join(nixTestDirectory, "disko-eval.nix"))} { lib = import ${nixString(nixpkgsLib ?? "")}; disko = ${nixString(disko ?? "")}; }`,
    ) as Record<string, { device: string; fsType: string }>;
    assert.deepEqual(Object.keys(fileSystems).sort(), ["/", "/boot", "/home", "/nix", `/${pool}/images`, `/${pool}/users`, "/var"]);
    assert.equal(fileSystems["/boot"]!.fsType, "vfat");
    assert.deepEqual(fileSystems["/"], { ...fileSystems["/"], device: `${pool}/root`, fsType: "zfs" });
    assert.equal(fileSystems[`/${pool}/users`]!.device, `${pool}/users`);
  });
});

void describe("flake.nix outputs (stand-in inputs)", { skip }, () => {
  const flake = () =>
    evalJson(`import ${nixString(join(nixTestDirectory, "flake-eval.nix"))} { lib = import ${nixString(nixpkgsLib ?? "")}; }`) as Record<string, any>;

  void it("declares the five inputs and every output", () => {
    const result = flake();
    assert.deepEqual(result.inputs, ["agenix", "disko", "extra-container", "microvm", "nixpkgs"]);
    assert.equal(result.nixpkgsUrl, "github:NixOS/nixpkgs/nixos-unstable");
    for (const output of ["lib", "packages", "nixosModules", "nixosConfigurations", "devShells", "checks"]) assert.ok(result.outputs.includes(output), output);
    assert.deepEqual(result.packages, ["default", "voxnix"]);
    assert.deepEqual(result.nixosModules, ["default", "voxnix"]);
  });

  void it("exports the pure library with the whole catalog", () => {
    const result = flake();
    assert.deepEqual(result.lib, ["catalog", "fromSpecFile", "microvmRunner", "mkContainer", "mkVm", "modules", "paths", "vmGuest"]);
    assert.deepEqual(result.catalogNames, ["code-server", "devtools", "env", "fish", "git", "tailscale", "workspace"]);
  });

  void it("builds the appliance from disko, agenix, the voxnix module, the overlay, microvm.nix's host module and the host config", () => {
    assert.deepEqual(flake().appliance, { system: "x86_64-linux", moduleCount: 6 });
  });

  void it("has one mkContainer check per sample spec, plus catalog and appliance", () => {
    assert.deepEqual(Object.keys(flake().checks).sort(), [
      "appliance",
      "catalog",
      "mkContainer-all-modules",
      "mkContainer-basic",
      "mkContainer-minimal",
      "mkContainer-tailscale",
    ]);
  });
});
