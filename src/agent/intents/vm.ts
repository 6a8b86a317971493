/**
 * Virtual machines in chat. "make me a vm called lab with 2 cpus and 4G" is a create request
 * of kind `vm` (read by `create.ts`, with the kind from here); questions about VMs ("do you
 * support VMs?") and VMs this appliance cannot run (Windows, macOS) are answered from what the
 * appliance really has: a VM runtime or none (`vm.runtime: none`), in which case no container
 * is created instead. Which kind a request names, if any, is read here too, so a request that
 * names none gets the person's default kind from the core (an admin may make it `vm`).
 *
 * @module
 */
import type { WorkloadKind } from "../../domain/spec.js";
import { formatSize, parseSize } from "../../domain/sizes.js";
import { hasAny } from "./normalise.js";

/** Words that name a virtual machine. */
export const VM_WORDS = [
  "vm",
  "vms",
  "virtual machine",
  "virtual machines",
  "qemu",
  "kvm",
  "hypervisor",
  "full vm",
  "microvm",
];

/** Guest systems the VM runtime does not offer: asked for, they are explained, never replaced. */
const FOREIGN_SYSTEMS = ["windows", "macos", "mac os", "osx", "virtualbox", "vmware", "freebsd", "android"];

/** Words that name a container. */
const CONTAINER_WORDS = ["container", "containers", "nspawn", "nixos container"];

/** The kind a request names: `vm`, `container`, or undefined when it names neither (the person's default applies). */
export function readKind(text: string): WorkloadKind | undefined {
  // "a container, not a vm": a kind the person ruled out is not the kind they asked for.
  const asked = text.replace(RULED_OUT, " ");
  if (hasAny(asked, VM_WORDS)) return "vm";
  if (hasAny(asked, CONTAINER_WORDS)) return "container";
  return undefined;
}

const KIND_WORD = [...VM_WORDS, ...CONTAINER_WORDS].sort((a, b) => b.length - a.length).join("|");
const RULED_OUT = new RegExp(
  String.raw`\b(?:not|no|never|dont|without|rather than|instead of)\s+(?:(?:a|an|in|on|as)\s+)*(?:full\s+)?(?:${KIND_WORD})\b`,
  "g",
);

/** True when the text asks for a guest system VMs here do not run ("a windows vm"). */
export function asksForForeignSystem(text: string): boolean {
  return hasAny(text, FOREIGN_SYSTEMS);
}

/** The answer to a question about VMs, from what the appliance has. */
export function describeVmAnswer(kinds: readonly WorkloadKind[], foreign: boolean): string {
  if (!kinds.includes("vm")) {
    return [
      "Virtual machines are not available on this appliance: no VM runtime is configured (it runs containers only), so I did not create anything.",
      'If a container will do, say for example "create a container called lab with 2 cpus". An administrator can enable VMs with vm.runtime.',
    ].join("\n");
  }
  if (foreign) {
    return [
      "The VMs here run Debian Linux only (no Windows, macOS or other systems), so I did not create anything.",
      'A Linux VM works: say for example "make me a vm called lab with 2 cpus and 4G".',
    ].join("\n");
  }
  return [
    "Yes: I can make you a virtual machine, a Debian Linux VM with its own kernel and a /workspace disk.",
    'Say for example "make me a vm called lab with 2 cpus and 4G" (add "and a 20G disk" for a bigger root disk).',
  ].join("\n");
}

/** "Creating the VM lab …": what a VM create says when it starts. */
export function describeVmCreateStarted(
  name: string,
  details: { readonly cpus?: number; readonly memory?: string; readonly disk?: string },
): string {
  const parts = [
    ...(details.cpus !== undefined ? [`${details.cpus} CPU${details.cpus === 1 ? "" : "s"}`] : []),
    ...(details.memory !== undefined ? [`${readableSize(details.memory)} memory`] : []),
    ...(details.disk !== undefined ? [`a ${readableSize(details.disk)} disk`] : []),
  ];
  return `Creating the VM ${name}${parts.length > 0 ? ` (${parts.join(", ")})` : ""}. A VM takes a few minutes to boot; I'll tell you when it's ready.`;
}

function readableSize(size: string): string {
  const bytes = parseSize(size);
  return bytes === undefined ? size : formatSize(bytes);
}
