/**
 * Slack's OAuth v2 install flow, as docs.slack.dev describes it, for the emulator's workspaces:
 * - `GET /oauth/v2/authorize?client_id&scope&state[&redirect_uri][&team]`: the page a person sees —
 *   which app, which scopes, a form per workspace to allow it (a bad client id or a redirect_uri
 *   the app did not register is refused with an error page, as Slack does);
 * - `POST /oauth/v2/authorize/approve` (the form's submission: the authorize parameters, `team`,
 *   `user`): a one-time code, and a 302 to the redirect URI with `code` and `state`;
 * - `oauth.v2.access` (client_id + client_secret, form fields or HTTP Basic; `code`; the same
 *   redirect_uri if the authorize had one): the documented response — `access_token` (xoxb),
 *   `token_type: "bot"`, `scope`, `bot_user_id`, `app_id`, `team {id, name}`, `enterprise: null`,
 *   `authed_user {id}`, `is_enterprise_install: false`; a code works once, for ten minutes.
 * Tokens are scoped to their workspace (web-api-server.ts resolves a token to its workspace);
 * an uninstall revokes them (calls then answer `token_revoked`).
 */
import { randomId, type Workspace } from './workspace.ts';
import type { MethodArgs, MethodResult } from './web-api-methods.ts';

export interface OAuthApp {
  clientId: string;
  clientSecret: string;
  /** Redirect URLs registered in the app's settings; the first is used when the authorize names none. */
  redirectUris: string[];
}

interface IssuedCode {
  workspace: Workspace;
  userId: string;
  scope: string;
  redirectUri?: string;
  issuedAt: number;
  used: boolean;
}

/** A code's lifetime (Slack: ten minutes). */
const codeLifetimeMs = 10 * 60_000;

export interface HttpAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`);
const page = (status: number, body: string): HttpAnswer => ({ status, headers: { 'content-type': 'text/html; charset=utf-8' }, body: `<!DOCTYPE html><html><head><title>Slack</title></head><body>${body}</body></html>` });

export class OAuthInstalls {
  private readonly codes = new Map<string, IssuedCode>();
  /** Live bot tokens → their workspace. */
  readonly tokens = new Map<string, Workspace>();
  /** Tokens revoked by an uninstall or auth.revoke. */
  readonly revoked = new Set<string>();

  constructor(
    readonly app: OAuthApp,
    private readonly workspaces: () => Workspace[],
  ) {}

  /** The redirect URI an authorize request resolves to, or an error page. */
  private redirectFor(params: URLSearchParams): string | HttpAnswer {
    if (params.get('client_id') !== this.app.clientId) return page(400, '<h1>Invalid client_id parameter</h1>');
    if (!params.get('scope') && !params.get('user_scope')) return page(400, '<h1>Invalid scope</h1>');
    const asked = params.get('redirect_uri');
    const redirect = asked ?? this.app.redirectUris[0];
    if (!redirect || (asked !== null && !this.app.redirectUris.includes(asked))) return page(400, '<h1>redirect_uri did not match any configured URIs</h1>');
    return redirect;
  }

  /** GET /oauth/v2/authorize: the consent page, one "Allow" form per workspace. */
  authorizePage(params: URLSearchParams): HttpAnswer {
    const redirect = this.redirectFor(params);
    if (typeof redirect !== 'string') return redirect;
    const hidden = [...params].map(([name, value]) => `<input type="hidden" name="${escapeHtml(name)}" value="${escapeHtml(value)}">`).join('');
    const forms = this.workspaces()
      .filter((workspace) => !params.get('team') || params.get('team') === workspace.teamId)
      .map((workspace) => `<form method="post" action="/oauth/v2/authorize/approve">${hidden}<input type="hidden" name="team" value="${workspace.teamId}"><button>Allow in ${escapeHtml(workspace.teamName)}</button></form>`)
      .join('');
    return page(200, `<h1>TableRound is requesting permission to access the Slack workspace</h1><p>${escapeHtml(params.get('scope') ?? '')}</p>${forms}`);
  }

  /** POST /oauth/v2/authorize/approve: the person allowed the app in `team`. */
  approve(params: URLSearchParams): HttpAnswer {
    const redirect = this.redirectFor(params);
    if (typeof redirect !== 'string') return redirect;
    const workspace = this.workspaces().find((candidate) => candidate.teamId === params.get('team'));
    const userId = params.get('user') ?? '';
    if (!workspace || !workspace.users.has(userId)) return page(400, '<h1>Not signed in to that workspace</h1>');
    const target = new URL(redirect);
    if (params.get('deny') === 'true') {
      target.searchParams.set('error', 'access_denied');
    } else {
      const code = `${Date.now()}.${randomId('', 24).toLowerCase()}`;
      const askedRedirect = params.get('redirect_uri');
      this.codes.set(code, { workspace, userId, scope: params.get('scope') ?? '', ...(askedRedirect ? { redirectUri: askedRedirect } : {}), issuedAt: Date.now(), used: false });
      target.searchParams.set('code', code);
    }
    const state = params.get('state');
    if (state !== null) target.searchParams.set('state', state);
    return { status: 302, headers: { location: target.toString() }, body: '' };
  }

  /** `oauth.v2.access`, authenticated by the app's client id and secret (form fields or Basic). */
  access(args: MethodArgs, basic: { id: string; secret: string } | undefined): MethodResult {
    const clientId = basic?.id ?? (typeof args.client_id === 'string' ? args.client_id : undefined);
    const clientSecret = basic?.secret ?? (typeof args.client_secret === 'string' ? args.client_secret : undefined);
    if (clientId !== this.app.clientId) return { ok: false, error: 'invalid_client_id' };
    if (clientSecret !== this.app.clientSecret) return { ok: false, error: 'bad_client_secret' };
    const issued = this.codes.get(typeof args.code === 'string' ? args.code : '');
    if (!issued || issued.used || Date.now() - issued.issuedAt > codeLifetimeMs) return { ok: false, error: 'invalid_code' };
    if (issued.redirectUri !== undefined && args.redirect_uri !== issued.redirectUri) return { ok: false, error: 'bad_redirect_uri' };
    issued.used = true;
    const { workspace } = issued;
    workspace.installed = true;
    const token = this.liveTokenOf(workspace) ?? this.issue(workspace);
    return {
      ok: true,
      app_id: workspace.appId,
      authed_user: { id: issued.userId },
      scope: issued.scope,
      token_type: 'bot',
      access_token: token,
      bot_user_id: workspace.botUserId,
      team: { id: workspace.teamId, name: workspace.teamName },
      enterprise: null,
      is_enterprise_install: false,
    };
  }

  /** A new bot token for the workspace (also how the emulator's first workspace gets its fixed one). */
  issue(workspace: Workspace, token = `xoxb-${randomId('', 12)}-${randomId('', 24)}`): string {
    this.tokens.set(token, workspace);
    return token;
  }

  liveTokenOf(workspace: Workspace): string | undefined {
    for (const [token, owner] of this.tokens) if (owner === workspace) return token;
    return undefined;
  }

  /** The app is removed from the workspace: its tokens stop working. Returns whether any were live. */
  uninstall(workspace: Workspace): boolean {
    workspace.installed = false;
    let any = false;
    for (const [token, owner] of [...this.tokens]) {
      if (owner !== workspace) continue;
      this.tokens.delete(token);
      this.revoked.add(token);
      any = true;
    }
    return any;
  }
}
