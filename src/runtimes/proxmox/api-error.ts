/**
 * What a failed Proxmox API call becomes. It is a `HostFailureError` (the closed error union is
 * unchanged) carrying the HTTP status and Proxmox's own message, so the runtime can tell "VM
 * 9001 already exists" from "node offline" without parsing prose twice. Proxmox puts the
 * reason in the status line and, for the `json` format, in the body's `message`
 * (pve-http-server `Formatter/Standard.pm`); parameter errors come per field in `errors`
 * (`raise_param_exc`, e.g. `nextid` answers 400 `{ errors: { vmid: "VM 100 already exists" } }`).
 *
 * @module
 */
import { HostFailureError } from "../../domain/errors.js";

/** Proxmox answers 595 when it cannot proxy a request to the node that owns it (node down). */
export const NODE_UNREACHABLE_STATUS = 595;

/** A Proxmox API answer with an error status. `pveMessage` is Proxmox's text, already scrubbed of secrets. */
export class ProxmoxApiError extends HostFailureError {
  constructor(
    message: string,
    readonly status: number,
    readonly pveMessage: string,
    readonly parameterErrors: Readonly<Record<string, string>>,
    detail: string,
  ) {
    super(message, detail);
  }

  /** True when Proxmox said the VMID (or its config file) is taken. */
  get vmidTaken(): boolean {
    const texts = [this.pveMessage, ...Object.values(this.parameterErrors)];
    return texts.some((text) => /already exists|config file already exists/i.test(text));
  }
}

/** True for an error that says the VMID is taken, whichever call reported it. */
export function isVmidTaken(error: unknown): boolean {
  return error instanceof ProxmoxApiError && error.vmidTaken;
}
