/**
 * Every CLI command module, in the order `voxnix --help` lists them. A new command family is
 * one file in this folder exporting `register`, plus one line here.
 *
 * @module
 */
import type { RegisterCommand } from "../context.js";
import * as chat from "./chat.js";
import * as ctlCreate from "./ctl-create.js";
import * as ctlDestroy from "./ctl-destroy.js";
import * as ctlExec from "./ctl-exec.js";
import * as ctlLifecycle from "./ctl-lifecycle.js";
import * as ctlQuery from "./ctl-query.js";
import * as ctlSet from "./ctl-set.js";
import * as host from "./host.js";
import * as images from "./images.js";
import * as say from "./say.js";
import * as setup from "./setup.js";
import * as serve from "./serve.js";
import * as sshGateway from "./ssh-gateway.js";
import * as users from "./users.js";
import * as usersTokens from "./users-tokens.js";
import * as web from "./web.js";
import * as usersKeys from "./users-keys.js";
import * as proxmox from "./proxmox.js";

/** The command modules, registered in this order. */
export const COMMAND_MODULES: readonly { readonly register: RegisterCommand }[] = [
  setup,
  chat,
  say,
  serve,
  web,
  sshGateway,
  ctlCreate,
  ctlLifecycle,
  ctlDestroy,
  ctlSet,
  ctlQuery,
  ctlExec,
  host,
  users,
  usersTokens,
  usersKeys,
  images,
  proxmox,
];
