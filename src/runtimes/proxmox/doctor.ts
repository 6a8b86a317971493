/**
 * `voxnix doctor`'s Proxmox checks: the token secret file is private, the API answers
 * (`GET /version`), the token is accepted, the template exists and is a template, an allowed
 * node is online, and VMIDs are left in the range.
 *
 * @module
 */
import { stat } from "node:fs/promises";
import { HostFailureError } from "../../domain/errors.js";
import type { DoctorCheck } from "../../ports/runtime.js";
import type { ProxmoxVmidsRepository } from "../../state/proxmox-vmids-repository.js";
import { ProxmoxApiError } from "./api-error.js";
import type { ProxmoxContext } from "./context.js";
import { clusterResourcesSchema, versionSchema } from "./schemas.js";
import { readTokenSecret, type ProxmoxSettings } from "./settings.js";
import { clusterVms } from "./targets.js";

/** The checks; a failing API stops the checks that need it. */
export async function doctor(
  context: () => Promise<ProxmoxContext>,
  settings: ProxmoxSettings,
  ledger: ProxmoxVmidsRepository,
): Promise<DoctorCheck[]> {
  const checks: DoctorCheck[] = [await checkSecretFile(settings.tokenSecretFile)];
  let ctx: ProxmoxContext;
  try {
    ctx = await context();
  } catch (error) {
    return [
      ...checks,
      { name: "proxmox API", ok: false, detail: (error as Error).message, fix: "Check proxmox.tls.caFile." },
    ];
  }
  try {
    const version = await ctx.client.get("/version", versionSchema);
    checks.push({
      name: "proxmox API reachable",
      ok: true,
      detail: `Proxmox VE ${version.version} at ${settings.url}.`,
    });
    checks.push({ name: "proxmox token", ok: true, detail: `The token ${settings.tokenId} is accepted.` });
  } catch (error) {
    if (error instanceof ProxmoxApiError && error.status === 401) {
      checks.push({ name: "proxmox API reachable", ok: true, detail: `${settings.url} answers.` });
      checks.push({
        name: "proxmox token",
        ok: false,
        detail: error.message,
        fix: "Create the token as docs/proxmox.md describes and put its secret in proxmox.tokenSecretFile.",
      });
    } else {
      checks.push({
        name: "proxmox API reachable",
        ok: false,
        detail: (error as Error).message,
        fix: "Check proxmox.url, the network path to port 8006, and proxmox.tls.",
      });
    }
    return checks;
  }
  try {
    const resources = await ctx.client.get("/cluster/resources", clusterResourcesSchema);
    const template = clusterVms(resources).find((vm) => vm.vmid === settings.template);
    checks.push(
      template?.template
        ? {
            name: "proxmox template",
            ok: true,
            detail: `Template ${settings.template} ("${template.name}") is on node ${template.node}.`,
          }
        : {
            name: "proxmox template",
            ok: false,
            detail: template
              ? `VMID ${settings.template} is a VM, not a template.`
              : `No template with VMID ${settings.template} is visible to the token.`,
            fix: "Prepare a cloud-init template (docs/proxmox.md) and set proxmox.template to its VMID; the token needs VM.Audit and VM.Clone on it.",
          },
    );
    const nodes = resources.filter((resource) => resource.type === "node");
    const usable = nodes.filter(
      (node) => node.status === "online" && (settings.nodes.length === 0 || settings.nodes.includes(node.node ?? "")),
    );
    checks.push(
      usable.length > 0
        ? {
            name: "proxmox nodes",
            ok: true,
            detail: `${usable.length} of ${nodes.length} node(s) online and allowed: ${usable.map((node) => node.node).join(", ")}.`,
          }
        : {
            name: "proxmox nodes",
            ok: false,
            detail: `No node is both online and allowed (proxmox.nodes: ${settings.nodes.join(", ") || "all"}).`,
            fix: "Bring a node online or widen proxmox.nodes.",
          },
    );
  } catch (error) {
    checks.push({ name: "proxmox template", ok: false, detail: (error as Error).message });
  }
  const used = ledger
    .all()
    .filter((record) => record.vmid >= settings.vmidRange.first && record.vmid <= settings.vmidRange.last).length;
  const size = settings.vmidRange.last - settings.vmidRange.first + 1;
  checks.push(
    used < size
      ? {
          name: "proxmox VMID range",
          ok: true,
          detail: `${used} of ${size} VMIDs in ${settings.vmidRange.first}–${settings.vmidRange.last} used so far (IDs are never reused).`,
        }
      : {
          name: "proxmox VMID range",
          ok: false,
          detail: `All ${size} VMIDs in ${settings.vmidRange.first}–${settings.vmidRange.last} are used.`,
          fix: "Widen proxmox.vmidRange.",
        },
  );
  return checks;
}

async function checkSecretFile(file: string): Promise<DoctorCheck> {
  const name = "proxmox token secret file";
  try {
    const info = await stat(file);
    if ((info.mode & 0o004) !== 0)
      return { name, ok: false, detail: `${file} is readable by every user on the host.`, fix: `chmod 0400 ${file}` };
    await readTokenSecret(file);
    return { name, ok: true, detail: `${file} is present and private.` };
  } catch (error) {
    return {
      name,
      ok: false,
      detail: error instanceof HostFailureError ? error.message : `${file} does not exist.`,
      fix: "Put exactly the token's secret in this file (agenix).",
    };
  }
}
