/**
 * `attachShell`: back into a browser terminal's shell after the connection dropped, within
 * its grace window (`core/shells.ts`). The workload is checked like any workload operation
 * ("not yours" is "not found"); the resume token must be one the same person got for a shell
 * in that workload that still runs, else the answer is the same "not found", so a token of
 * someone else's shell tells nothing. The recent output is replayed to the new attachment and
 * the previous attachment, if still connected, is taken over. The audit record names the
 * shell's public id, never the token.
 *
 * @module
 */
import { InvalidInputError, NotFoundError } from "../../domain/errors.js";
import type { Actor } from "../../domain/identity.js";
import type { AttachShellRequest, ShellSession } from "../api.js";
import { validateName } from "../inputs.js";
import { runOperation } from "../run-operation.js";
import type { CoreServices } from "../services.js";
import { shellSession, sizeIssue } from "./open-shell.js";

const RESUME_TOKEN = /^vxr_[A-Za-z0-9_-]{43}$/;

/** Reattaches the actor to their shell in `request.name`. */
export function attachShell(services: CoreServices, actor: Actor, request: AttachShellRequest): Promise<ShellSession> {
  const args: Record<string, unknown> = { name: request?.name, cols: request?.cols, rows: request?.rows };
  return runOperation(services, {
    operation: "attachShell",
    actor,
    args,
    validate: () => {
      const name = validateName(request?.name);
      const issues = [...sizeIssue(request.cols, "cols", 1000), ...sizeIssue(request.rows, "rows", 500)];
      if (typeof request.resumeToken !== "string" || !RESUME_TOKEN.test(request.resumeToken))
        issues.push({ path: "resumeToken", message: "That is not a terminal session's resume token." });
      if (issues.length > 0) throw new InvalidInputError(issues);
      return { name, resumeToken: request.resumeToken, size: { cols: request.cols, rows: request.rows } };
    },
    target: (input) => input.name,
    run: async ({ user, input }) => {
      const shell = services.shells.find(input.resumeToken, user.id, input.name);
      if (!shell)
        throw new NotFoundError(
          "shell",
          input.name,
          `There is no terminal session of yours in "${input.name}" to go back to: it ended. Open a new one.`,
        );
      args.shell = shell.id;
      const attachment = services.shells.reattach(shell);
      shell.terminal.resize(input.size);
      return shellSession(services, shell, attachment, true);
    },
  });
}
