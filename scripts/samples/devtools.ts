/**
 * Hand-made samples for developer platforms: source hosts, deploys, issue trackers, AI APIs,
 * video and chat platforms, in each provider's documented webhook shape; every id is fake.
 */
import { HAND_MADE, HAND_MADE_LICENCE, T0, digits, hex, iso, token, uuid, type HandProvider, type HandSample } from './kit.js';

const base = { source: HAND_MADE, licence: HAND_MADE_LICENCE, contentType: 'application/json', style: 'compact' as const };

// ---------------------------------------------------------------- Linear (headers Linear-Event, Linear-Delivery; body type + action, webhookTimestamp signed)
const linearOrg = uuid('linearorg');
const linearActor = { id: uuid('linearuser'), name: 'Jenny Rosen', email: 'jenny@example.com', url: 'https://linear.app/hookctl/profiles/jenny', type: 'user' };
const linearIssue = {
  id: uuid('linearissue'),
  createdAt: iso(0),
  updatedAt: iso(5),
  number: 42,
  title: 'Webhook retries are not deduplicated',
  description: 'Seen twice in the capture after a 503.',
  priority: 2,
  priorityLabel: 'High',
  estimate: 3,
  sortOrder: -1067.5,
  boardOrder: 0,
  identifier: 'HKC-42',
  url: 'https://linear.app/hookctl/issue/HKC-42/webhook-retries-are-not-deduplicated',
  teamId: uuid('linearteam'),
  team: { id: uuid('linearteam'), key: 'HKC', name: 'Hookctl' },
  stateId: uuid('linearstate'),
  state: { id: uuid('linearstate'), color: '#e2e2e2', name: 'Todo', type: 'unstarted' },
  creatorId: linearActor.id,
  assigneeId: null,
  labelIds: [uuid('linearlabel')],
  labels: [{ id: uuid('linearlabel'), color: '#eb5757', name: 'Bug' }],
  subscriberIds: [linearActor.id],
  previousIdentifiers: [],
  botActor: null,
};
function linearEvent(type: string, action: string, data: unknown, extra: Record<string, unknown> = {}): HandSample {
  return {
    event: `${type}.${action}`,
    headerType: type,
    fresh: [{ key: 'webhookTimestamp', unit: 'ms' }],
    body: { action, actor: linearActor, createdAt: iso(10), data, url: (data as { url?: string }).url ?? 'https://linear.app/hookctl', type, organizationId: linearOrg, webhookTimestamp: (T0 + 10) * 1000 + 508, webhookId: uuid('linearwebhook'), ...extra },
  };
}
export const linear: HandProvider = {
  ...base,
  contentType: 'application/json; charset=utf-8',
  title: 'Linear',
  defaultEvent: 'Issue.create',
  typeIn: 'both',
  idIn: 'header',
  samples: [
    linearEvent('Issue', 'create', linearIssue),
    linearEvent('Issue', 'update', { ...linearIssue, stateId: uuid('linearstate2'), state: { id: uuid('linearstate2'), color: '#f2c94c', name: 'In Progress', type: 'started' }, assigneeId: linearActor.id, updatedAt: iso(3600) }, { updatedFrom: { updatedAt: iso(5), stateId: uuid('linearstate'), assigneeId: null } }),
    linearEvent('Issue', 'remove', { ...linearIssue, archivedAt: iso(7200), trashed: true }),
    linearEvent('Comment', 'create', { id: uuid('linearcomment'), createdAt: iso(20), updatedAt: iso(20), body: 'Reproduced with `hookctl send --retries 3`.', issueId: linearIssue.id, issue: { id: linearIssue.id, identifier: 'HKC-42', title: linearIssue.title, teamId: linearIssue.teamId, team: linearIssue.team, url: linearIssue.url }, userId: linearActor.id, user: linearActor, reactionData: [], url: `${linearIssue.url}#comment-${hex('linearc', 8)}` }),
    linearEvent('Project', 'update', { id: uuid('linearproject'), createdAt: iso(-864000), updatedAt: iso(30), name: 'Webhooks v2', description: '', slugId: hex('linearslug', 12), color: '#bec2c8', state: 'started', progress: 0.4, startDate: '2026-01-05', targetDate: '2026-02-27', url: 'https://linear.app/hookctl/project/webhooks-v2-' + hex('linearslug', 12) }, { updatedFrom: { progress: 0.35 } }),
  ],
};

// ---------------------------------------------------------------- GitLab (header X-Gitlab-Event: "Push Hook", X-Gitlab-Event-UUID)
const gitlabProject = { id: 15, name: 'webhook-demo', description: 'A project for trying webhooks', web_url: 'https://gitlab.example.com/octo-org/webhook-demo', avatar_url: null, git_ssh_url: 'git@gitlab.example.com:octo-org/webhook-demo.git', git_http_url: 'https://gitlab.example.com/octo-org/webhook-demo.git', namespace: 'octo-org', visibility_level: 20, path_with_namespace: 'octo-org/webhook-demo', default_branch: 'main', ci_config_path: null, homepage: 'https://gitlab.example.com/octo-org/webhook-demo', url: 'git@gitlab.example.com:octo-org/webhook-demo.git', ssh_url: 'git@gitlab.example.com:octo-org/webhook-demo.git', http_url: 'https://gitlab.example.com/octo-org/webhook-demo.git' };
const gitlabUser = { id: 4, name: 'Jenny Rosen', username: 'jenny', avatar_url: 'https://gitlab.example.com/uploads/-/system/user/avatar/4/avatar.png', email: '[REDACTED]' };
const gitlabRepository = { name: 'webhook-demo', url: 'git@gitlab.example.com:octo-org/webhook-demo.git', description: 'A project for trying webhooks', homepage: 'https://gitlab.example.com/octo-org/webhook-demo', git_http_url: 'https://gitlab.example.com/octo-org/webhook-demo.git', git_ssh_url: 'git@gitlab.example.com:octo-org/webhook-demo.git', visibility_level: 20 };
const gitlabBefore = hex('gitlabbefore', 40);
const gitlabAfter = hex('gitlabafter', 40);
const gitlabCommit = { id: gitlabAfter, message: 'Deduplicate retried deliveries\n', title: 'Deduplicate retried deliveries', timestamp: '2026-01-15T10:59:58+00:00', url: `https://gitlab.example.com/octo-org/webhook-demo/-/commit/${gitlabAfter}`, author: { name: 'Jenny Rosen', email: 'jenny@example.com' }, added: [], modified: ['src/listen/claim.ts'], removed: [] };
const gitlabMr = { id: 99, iid: 1, target_branch: 'main', source_branch: 'dedupe-retries', source_project_id: 15, author_id: 4, assignee_ids: [], title: 'Deduplicate retried deliveries', created_at: '2026-01-15 10:00:00 UTC', updated_at: '2026-01-15 10:00:00 UTC', milestone_id: null, state: 'opened', merge_status: 'checking', detailed_merge_status: 'checking', target_project_id: 15, description: 'Closes #7', url: 'https://gitlab.example.com/octo-org/webhook-demo/-/merge_requests/1', source: gitlabProject, target: gitlabProject, last_commit: gitlabCommit, work_in_progress: false, draft: false, action: 'open' };
function gitlab_(event: string, hook: string, body: Record<string, unknown>): HandSample {
  return { event, headerType: hook, body };
}
export const gitlab: HandProvider = {
  ...base,
  title: 'GitLab',
  defaultEvent: 'push',
  typeIn: 'both',
  idIn: 'header',
  samples: [
    gitlab_('push', 'Push Hook', { object_kind: 'push', event_name: 'push', before: gitlabBefore, after: gitlabAfter, ref: 'refs/heads/main', ref_protected: true, checkout_sha: gitlabAfter, message: null, user_id: 4, user_name: 'Jenny Rosen', user_username: 'jenny', user_email: '', user_avatar: gitlabUser.avatar_url, project_id: 15, project: gitlabProject, commits: [gitlabCommit], total_commits_count: 1, push_options: {}, repository: gitlabRepository }),
    gitlab_('tag_push', 'Tag Push Hook', { object_kind: 'tag_push', event_name: 'tag_push', before: '0000000000000000000000000000000000000000', after: gitlabAfter, ref: 'refs/tags/v1.2.0', ref_protected: true, checkout_sha: gitlabAfter, message: 'Release 1.2.0', user_id: 4, user_name: 'Jenny Rosen', user_username: 'jenny', user_email: '', user_avatar: gitlabUser.avatar_url, project_id: 15, project: gitlabProject, commits: [], total_commits_count: 0, push_options: {}, repository: gitlabRepository }),
    gitlab_('merge_request.open', 'Merge Request Hook', { object_kind: 'merge_request', event_type: 'merge_request', user: gitlabUser, project: gitlabProject, repository: gitlabRepository, object_attributes: gitlabMr, labels: [], changes: {}, assignees: [], reviewers: [] }),
    gitlab_('merge_request.merge', 'Merge Request Hook', { object_kind: 'merge_request', event_type: 'merge_request', user: gitlabUser, project: gitlabProject, repository: gitlabRepository, object_attributes: { ...gitlabMr, state: 'merged', merge_status: 'can_be_merged', action: 'merge' }, labels: [], changes: { state_id: { previous: 4, current: 3 } } }),
    gitlab_('issue.open', 'Issue Hook', { object_kind: 'issue', event_type: 'issue', user: gitlabUser, project: gitlabProject, repository: gitlabRepository, object_attributes: { id: 301, iid: 7, title: 'Retried deliveries are processed twice', description: 'After a 503 the retry is handled again.', state: 'opened', created_at: '2026-01-15 09:00:00 UTC', updated_at: '2026-01-15 09:00:00 UTC', url: 'https://gitlab.example.com/octo-org/webhook-demo/-/issues/7', action: 'open', author_id: 4, project_id: 15, labels: [] }, labels: [], changes: {} }),
    gitlab_('pipeline', 'Pipeline Hook', { object_kind: 'pipeline', object_attributes: { id: 31, iid: 3, name: 'Pipeline for branch: main', ref: 'main', tag: false, sha: gitlabAfter, before_sha: gitlabBefore, source: 'push', status: 'success', detailed_status: 'passed', stages: ['build', 'test'], created_at: '2026-01-15 11:00:00 UTC', finished_at: '2026-01-15 11:04:12 UTC', duration: 252, queued_duration: 3, variables: [], url: 'https://gitlab.example.com/octo-org/webhook-demo/-/pipelines/31' }, merge_request: null, user: gitlabUser, project: gitlabProject, commit: gitlabCommit, builds: [] }),
  ],
};

// ---------------------------------------------------------------- Bitbucket Cloud (headers X-Event-Key, X-Request-UUID)
const bbUser = { display_name: 'Jenny Rosen', links: { html: { href: 'https://bitbucket.org/%7B' + uuid('bbuser') + '%7D/' } }, type: 'user', uuid: `{${uuid('bbuser')}}`, account_id: '557058:' + uuid('bbaccount'), nickname: 'jenny' };
const bbRepo = { type: 'repository', full_name: 'octo-org/webhook-demo', links: { html: { href: 'https://bitbucket.org/octo-org/webhook-demo' } }, name: 'webhook-demo', scm: 'git', website: null, owner: { display_name: 'octo-org', type: 'team', uuid: `{${uuid('bbteam')}}`, username: 'octo-org' }, workspace: { type: 'workspace', uuid: `{${uuid('bbteam')}}`, name: 'octo-org', slug: 'octo-org' }, is_private: true, project: { type: 'project', key: 'HKC', uuid: `{${uuid('bbproject')}}`, name: 'Hookctl' }, uuid: `{${uuid('bbrepo')}}` };
const bbCommit = (seed: string) => ({ type: 'commit', hash: hex(seed, 40), links: { html: { href: `https://bitbucket.org/octo-org/webhook-demo/commits/${hex(seed, 40)}` } } });
const bbPr = (state: string) => ({ id: 1, title: 'Deduplicate retried deliveries', description: 'Closes #7', state, type: 'pullrequest', author: bbUser, source: { branch: { name: 'dedupe-retries' }, commit: bbCommit('bbsource'), repository: bbRepo }, destination: { branch: { name: 'main' }, commit: bbCommit('bbdest'), repository: bbRepo }, merge_commit: state === 'MERGED' ? bbCommit('bbmerge') : null, comment_count: 0, task_count: 0, close_source_branch: true, closed_by: state === 'MERGED' ? bbUser : null, reason: '', created_on: iso(0).replace('Z', '000+00:00'), updated_on: iso(60).replace('Z', '000+00:00'), reviewers: [], participants: [], links: { html: { href: 'https://bitbucket.org/octo-org/webhook-demo/pull-requests/1' } } });
export const bitbucket: HandProvider = {
  ...base,
  title: 'Bitbucket',
  defaultEvent: 'repo:push',
  typeIn: 'header',
  idIn: 'header',
  samples: [
    { event: 'repo:push', body: { push: { changes: [{ old: { name: 'main', type: 'branch', target: bbCommit('bbold') }, new: { name: 'main', type: 'branch', target: { ...bbCommit('bbnew'), message: 'Deduplicate retried deliveries\n', date: iso(0).replace('.000Z', '+00:00'), author: { raw: 'Jenny Rosen <jenny@example.com>', type: 'author', user: bbUser } } }, created: false, forced: false, closed: false, truncated: false, commits: [{ ...bbCommit('bbnew'), message: 'Deduplicate retried deliveries\n' }] }] }, repository: bbRepo, actor: bbUser } },
    { event: 'pullrequest:created', body: { repository: bbRepo, actor: bbUser, pullrequest: bbPr('OPEN') } },
    { event: 'pullrequest:fulfilled', body: { repository: bbRepo, actor: bbUser, pullrequest: bbPr('MERGED') } },
    { event: 'pullrequest:comment_created', body: { repository: bbRepo, actor: bbUser, pullrequest: bbPr('OPEN'), comment: { id: 512345, type: 'pullrequest_comment', content: { raw: 'Looks good, one nit.', markup: 'markdown', html: '<p>Looks good, one nit.</p>', type: 'rendered' }, user: bbUser, created_on: iso(120).replace('Z', '000+00:00'), updated_on: iso(120).replace('Z', '000+00:00'), deleted: false, pending: false } } },
    { event: 'issue:created', body: { repository: bbRepo, actor: bbUser, issue: { id: 7, title: 'Retried deliveries are processed twice', type: 'issue', state: 'new', kind: 'bug', priority: 'major', content: { raw: 'After a 503 the retry is handled again.', markup: 'markdown', type: 'rendered' }, reporter: bbUser, assignee: null, created_on: iso(0).replace('Z', '000+00:00'), updated_on: iso(0).replace('Z', '000+00:00') } } },
  ],
};

// ---------------------------------------------------------------- Vercel (body: id, type)
function vercelEvent(type: string, payload: Record<string, unknown>, offset: number): HandSample {
  const id = token('evt_', `vercel${type}`, 24);
  return { event: type, id, body: { id, type, createdAt: (T0 + offset) * 1000, region: 'iad1', payload } };
}
const vercelDeployment = { id: token('dpl_', 'vercel', 28), meta: { githubCommitRef: 'main', githubCommitSha: hex('vercelsha', 40), githubCommitMessage: 'Deduplicate retried deliveries' }, url: 'webhook-demo-3k9x2m1qa-octo-org.vercel.app', name: 'webhook-demo', inspectorUrl: 'https://vercel.com/octo-org/webhook-demo/' + token('', 'vercelinspect', 28) };
const vercelPayload = { team: { id: token('team_', 'vercelteam', 24) }, user: { id: token('', 'verceluser', 24) }, deployment: vercelDeployment, links: { deployment: vercelDeployment.inspectorUrl, project: 'https://vercel.com/octo-org/webhook-demo' }, target: 'production', project: { id: token('prj_', 'vercelproject', 28) }, plan: 'pro', regions: ['iad1'] };
export const vercel: HandProvider = {
  ...base,
  title: 'Vercel',
  defaultEvent: 'deployment.succeeded',
  typeIn: 'body',
  idIn: 'body',
  samples: [
    vercelEvent('deployment.created', vercelPayload, 0),
    vercelEvent('deployment.succeeded', vercelPayload, 74),
    vercelEvent('deployment.error', vercelPayload, 51),
    vercelEvent('deployment.promoted', vercelPayload, 80),
    vercelEvent('project.created', { team: vercelPayload.team, user: vercelPayload.user, project: { id: vercelPayload.project.id, name: 'webhook-demo' } }, -86400),
  ],
};

// ---------------------------------------------------------------- Netlify (the deploy itself is the body; the hook's event names it)
const netlifyDeploy = (state: string, extra: Record<string, unknown> = {}) => ({
  id: hex('netlifydeploy', 24),
  site_id: uuid('netlifysite'),
  build_id: hex('netlifybuild', 24),
  state,
  name: 'webhook-demo',
  url: 'https://webhook-demo.netlify.app',
  ssl_url: 'https://webhook-demo.netlify.app',
  admin_url: 'https://app.netlify.com/sites/webhook-demo',
  deploy_url: `http://${hex('netlifydeploy', 24)}--webhook-demo.netlify.app`,
  deploy_ssl_url: `https://${hex('netlifydeploy', 24)}--webhook-demo.netlify.app`,
  created_at: iso(0),
  updated_at: iso(48),
  user_id: hex('netlifyuser', 24),
  error_message: state === 'error' ? 'Build script returned non-zero exit code: 2' : null,
  required: [],
  required_functions: [],
  commit_ref: hex('netlifysha', 40),
  review_id: null,
  branch: 'main',
  commit_url: `https://github.com/octo-org/webhook-demo/commit/${hex('netlifysha', 40)}`,
  skipped: null,
  locked: null,
  title: 'Deduplicate retried deliveries',
  commit_message: 'Deduplicate retried deliveries',
  review_url: null,
  published_at: state === 'ready' ? iso(48) : null,
  context: 'production',
  deploy_time: state === 'ready' ? 41 : null,
  available_functions: [],
  screenshot_url: null,
  committer: 'jenny',
  skipped_log: null,
  manual_deploy: false,
  framework: 'astro',
  ...extra,
});
export const netlify: HandProvider = {
  ...base,
  title: 'Netlify',
  defaultEvent: 'deploy_created',
  // No event header: one hook per event, and the body says the deploy's state (ready, building, error).
  typeIn: 'none',
  idIn: 'none',
  samples: [
    { event: 'deploy_building', body: netlifyDeploy('building') },
    { event: 'deploy_created', body: netlifyDeploy('ready') },
    { event: 'deploy_failed', body: netlifyDeploy('error') },
    { event: 'submission_created', body: { number: 12, title: null, email: 'jenny.rosen@example.com', name: 'Jenny Rosen', first_name: 'Jenny', last_name: 'Rosen', company: null, summary: '<strong>Jenny Rosen</strong> Is there a free tier?', body: 'Is there a free tier?', data: { name: 'Jenny Rosen', email: 'jenny.rosen@example.com', message: 'Is there a free tier?', ip: '203.0.113.7', user_agent: 'Mozilla/5.0', referrer: 'https://webhook-demo.netlify.app/contact' }, created_at: iso(0), human_fields: { Name: 'Jenny Rosen', Email: 'jenny.rosen@example.com', Message: 'Is there a free tier?' }, ordered_human_fields: [], id: hex('netlifysubmission', 24), form_id: hex('netlifyform', 24), site_url: 'https://webhook-demo.netlify.app', form_name: 'contact' } },
  ],
};

// ---------------------------------------------------------------- Sentry integration platform (headers Sentry-Hook-Resource, Request-ID)
const sentryIssue = { id: '1170820242', shareId: null, shortId: 'WEBHOOK-DEMO-3', title: "TypeError: Cannot read properties of undefined (reading 'id')", culprit: 'handleWebhook(src/routes/webhooks)', permalink: null, logger: null, level: 'error', status: 'unresolved', statusDetails: {}, isPublic: false, platform: 'node', project: { id: '1', name: 'webhook-demo', slug: 'webhook-demo', platform: 'node' }, type: 'error', metadata: { value: "Cannot read properties of undefined (reading 'id')", type: 'TypeError', filename: 'src/routes/webhooks.ts', function: 'handleWebhook' }, numComments: 0, assignedTo: null, isBookmarked: false, isSubscribed: false, hasSeen: false, annotations: [], isUnhandled: true, count: '1', userCount: 0, firstSeen: iso(0).replace('Z', '000Z'), lastSeen: iso(0).replace('Z', '000Z'), url: 'https://sentry.io/api/0/organizations/octo-org/issues/1170820242/', web_url: 'https://sentry.io/organizations/octo-org/issues/1170820242/', project_url: 'https://sentry.io/organizations/octo-org/issues/?project=1' };
const sentryInstallation = { uuid: uuid('sentryinstall') };
const sentryActor = { type: 'application', id: 'sentry', name: 'Sentry' };
function sentryEvent(resource: string, action: string, data: unknown, actor: unknown = sentryActor): HandSample {
  return { event: `${resource}.${action}`, headerType: resource, body: { action, installation: sentryInstallation, data, actor } };
}
export const sentry: HandProvider = {
  ...base,
  title: 'Sentry',
  defaultEvent: 'issue.created',
  typeIn: 'both',
  idIn: 'header',
  samples: [
    sentryEvent('issue', 'created', { issue: sentryIssue }),
    sentryEvent('issue', 'resolved', { issue: { ...sentryIssue, status: 'resolved', statusDetails: { inRelease: 'latest' } } }, { type: 'user', id: 1, name: 'Jenny Rosen' }),
    sentryEvent('event_alert', 'triggered', { event: { event_id: hex('sentryevent', 32), project: 1, release: 'webhook-demo@1.2.0', platform: 'node', message: '', datetime: iso(0), level: 'error', title: sentryIssue.title, url: 'https://sentry.io/api/0/projects/octo-org/webhook-demo/events/' + hex('sentryevent', 32) + '/', web_url: 'https://sentry.io/organizations/octo-org/issues/1170820242/events/' + hex('sentryevent', 32) + '/', issue_url: sentryIssue.url, issue_id: sentryIssue.id }, triggered_rule: 'Send a notification for new issues' }),
    sentryEvent('metric_alert', 'critical', { metric_alert: { id: '7', identifier: '7', organization_id: '1', status: 20, title: 'Error rate above 5%', date_started: iso(0), date_detected: iso(0), date_created: iso(0), date_closed: null, alert_rule: { id: '3', name: 'Error rate', aggregate: 'percentage(sessions_crashed, sessions) AS _crash_rate_alert_aggregate', threshold_type: 0, resolve_threshold: null, time_window: 60 } }, description_text: '6.2% error rate in the last hour', description_title: 'Critical: Error rate', web_url: 'https://sentry.io/organizations/octo-org/alerts/rules/details/3/' }),
    sentryEvent('installation', 'created', { installation: { app: { uuid: uuid('sentryapp'), slug: 'hookctl-demo' }, organization: { slug: 'octo-org', id: 1 }, uuid: sentryInstallation.uuid, status: 'installed', code: hex('sentrycode', 32) } }, { type: 'user', id: 1, name: 'Jenny Rosen' }),
  ],
};

// ---------------------------------------------------------------- Atlassian Jira (body: webhookEvent)
const jiraUser = { self: 'https://octo-org.atlassian.net/rest/api/2/user?accountId=' + hex('jirauser', 24), accountId: hex('jirauser', 24), avatarUrls: { '48x48': 'https://secure.gravatar.com/avatar/' + hex('jiraav', 32) }, displayName: 'Jenny Rosen', active: true, timeZone: 'Europe/London', accountType: 'atlassian' };
const jiraIssue = { id: '10042', self: 'https://octo-org.atlassian.net/rest/api/2/10042', key: 'HKC-42', fields: { statuscategorychangedate: '2026-01-15T10:00:00.000+0000', issuetype: { self: 'https://octo-org.atlassian.net/rest/api/2/issuetype/10004', id: '10004', name: 'Bug', subtask: false }, project: { self: 'https://octo-org.atlassian.net/rest/api/2/project/10000', id: '10000', key: 'HKC', name: 'Hookctl', projectTypeKey: 'software' }, created: '2026-01-15T10:00:00.000+0000', updated: '2026-01-15T10:00:00.000+0000', priority: { name: 'High', id: '2' }, labels: ['webhooks'], status: { name: 'To Do', id: '10000', statusCategory: { key: 'new', name: 'To Do' } }, summary: 'Webhook retries are not deduplicated', description: 'Seen twice in the capture after a 503.', creator: jiraUser, reporter: jiraUser, assignee: null } };
function jiraEvent(event: string, extra: Record<string, unknown>): HandSample {
  return { event, body: { timestamp: (T0 + 5) * 1000 + 764, webhookEvent: event, ...extra } };
}
export const atlassian: HandProvider = {
  ...base,
  title: 'Atlassian (Jira)',
  defaultEvent: 'jira:issue_created',
  typeIn: 'body',
  idIn: 'none',
  samples: [
    jiraEvent('jira:issue_created', { issue_event_type_name: 'issue_created', user: jiraUser, issue: jiraIssue }),
    jiraEvent('jira:issue_updated', { issue_event_type_name: 'issue_generic', user: jiraUser, issue: { ...jiraIssue, fields: { ...jiraIssue.fields, status: { name: 'In Progress', id: '3', statusCategory: { key: 'indeterminate', name: 'In Progress' } } } }, changelog: { id: '10210', items: [{ field: 'status', fieldtype: 'jira', fieldId: 'status', from: '10000', fromString: 'To Do', to: '3', toString: 'In Progress' }] } }),
    jiraEvent('jira:issue_deleted', { issue_event_type_name: 'issue_deleted', user: jiraUser, issue: jiraIssue }),
    jiraEvent('comment_created', { comment: { self: 'https://octo-org.atlassian.net/rest/api/2/issue/10042/comment/10100', id: '10100', author: jiraUser, body: 'Reproduced with hookctl send --retries 3.', updateAuthor: jiraUser, created: '2026-01-15T10:05:00.000+0000', updated: '2026-01-15T10:05:00.000+0000', jsdPublic: true }, issue: { id: jiraIssue.id, self: jiraIssue.self, key: jiraIssue.key, fields: { summary: jiraIssue.fields.summary, issuetype: jiraIssue.fields.issuetype, project: jiraIssue.fields.project } } }),
    jiraEvent('sprint_started', { sprint: { id: 3, self: 'https://octo-org.atlassian.net/rest/agile/1.0/sprint/3', state: 'active', name: 'HKC Sprint 3', startDate: '2026-01-15T10:00:00.000Z', endDate: '2026-01-29T10:00:00.000Z', originBoardId: 1, goal: 'Ship deduplication' } }),
  ],
};

// ---------------------------------------------------------------- Notion (body: id, type)
function notionEvent(type: string, entity: { id: string; type: string }, data: Record<string, unknown>): HandSample {
  const id = uuid(`notion${type}`);
  return { event: type, id, body: { id, timestamp: iso(0).replace('.000Z', '.285Z'), workspace_id: uuid('notionworkspace'), workspace_name: 'Octo Org', subscription_id: uuid('notionsubscription'), integration_id: uuid('notionintegration'), authors: [{ id: uuid('notionuser'), type: 'person' }], accessible_by: [{ id: uuid('notionuser'), type: 'person' }], attempt_number: 1, type, entity, data } };
}
const notionPage = { id: uuid('notionpage'), type: 'page' };
export const notion: HandProvider = {
  ...base,
  title: 'Notion',
  defaultEvent: 'page.created',
  typeIn: 'body',
  idIn: 'body',
  samples: [
    notionEvent('page.created', notionPage, { parent: { id: uuid('notiondb'), type: 'database' } }),
    notionEvent('page.content_updated', notionPage, { parent: { id: uuid('notiondb'), type: 'database' }, updated_blocks: [{ id: uuid('notionblock'), type: 'block' }] }),
    notionEvent('page.properties_updated', notionPage, { parent: { id: uuid('notiondb'), type: 'database' }, updated_properties: ['XGe%40', 'bDf%5B'] }),
    notionEvent('comment.created', { id: uuid('notioncomment'), type: 'comment' }, { page_id: notionPage.id, parent: { id: notionPage.id, type: 'page' } }),
    notionEvent('database.schema_updated', { id: uuid('notiondb'), type: 'database' }, { parent: { id: uuid('notionparent'), type: 'page' }, updated_properties: [{ id: 'fy:{', name: 'Priority', action: 'created' }] }),
  ],
};

// ---------------------------------------------------------------- OpenAI (Standard Webhooks; body id evt_, type)
function openaiEvent(type: string, data: Record<string, unknown>): HandSample {
  const id = token('evt_', `openai${type}`, 32).replace(/[A-Z]/g, (c) => c.toLowerCase());
  return { event: type, id, body: { id, object: 'event', created_at: T0 + 30, type, data } };
}
export const openai: HandProvider = {
  ...base,
  title: 'OpenAI',
  defaultEvent: 'response.completed',
  typeIn: 'body',
  idIn: 'both',
  samples: [
    openaiEvent('response.completed', { id: 'resp_' + hex('openairesp', 48) }),
    openaiEvent('response.failed', { id: 'resp_' + hex('openairesp2', 48) }),
    openaiEvent('batch.completed', { id: 'batch_' + hex('openaibatch', 32) }),
    openaiEvent('fine_tuning.job.succeeded', { id: 'ftjob-' + token('', 'openaift', 24) }),
    openaiEvent('eval.run.succeeded', { id: 'evalrun_' + hex('openaieval', 32) }),
  ],
};

// ---------------------------------------------------------------- Replicate (Standard Webhooks headers; the prediction is the body)
const replicatePrediction = (status: string, extra: Record<string, unknown> = {}) => {
  const id = token('', 'replicatepred', 26).toLowerCase();
  return { id, model: 'black-forest-labs/flux-schnell', version: 'dp-' + hex('replicatever', 32), input: { prompt: 'a lighthouse made of webhooks, watercolour', num_outputs: 1 }, logs: status === 'starting' ? '' : 'Using seed: 41520\n100%|██████████| 4/4 [00:00<00:00, 6.12it/s]\n', output: status === 'succeeded' ? [`https://replicate.delivery/xezq/${token('', 'replicateout', 44)}/out-0.webp`] : null, data_removed: false, error: status === 'failed' ? 'CUDA out of memory' : null, status, created_at: iso(0).replace('Z', '123Z'), started_at: status === 'starting' ? null : iso(1).replace('Z', '456Z'), completed_at: status === 'succeeded' || status === 'failed' ? iso(3).replace('Z', '789Z') : null, urls: { cancel: `https://api.replicate.com/v1/predictions/${id}/cancel`, get: `https://api.replicate.com/v1/predictions/${id}`, stream: `https://stream.replicate.com/v1/files/${token('', 'replicatestream', 40).toLowerCase()}`, web: `https://replicate.com/p/${id}` }, metrics: status === 'succeeded' ? { image_count: 1, predict_time: 0.62, total_time: 2.4 } : {}, ...extra };
};
export const replicate: HandProvider = {
  ...base,
  title: 'Replicate',
  defaultEvent: 'completed',
  typeIn: 'none',
  idIn: 'header',
  samples: [
    { event: 'start', body: replicatePrediction('starting') },
    { event: 'output', body: replicatePrediction('processing') },
    { event: 'logs', body: replicatePrediction('processing') },
    { event: 'completed', body: replicatePrediction('succeeded') },
    { event: 'completed', body: replicatePrediction('failed') },
  ],
};

// ---------------------------------------------------------------- Mux (body: id, type)
function muxEvent(type: string, objectType: string, data: Record<string, unknown>): HandSample {
  const id = uuid(`mux${type}`);
  return { event: type, id, body: { type, object: { type: objectType, id: data.id }, id, environment: { name: 'Development', id: token('', 'muxenv', 6).toLowerCase() }, data, created_at: iso(12).replace('.000Z', '.000000Z'), attempts: [], accessor_source: null, accessor: null, request_id: null } };
}
const muxAsset = (status: string) => ({ id: token('', 'muxasset', 36), status, created_at: T0, playback_ids: [{ policy: 'public', id: token('', 'muxplayback', 36) }], mp4_support: 'none', master_access: 'none', encoding_tier: 'baseline', video_quality: 'basic', ...(status === 'ready' ? { duration: 23.8567, max_stored_resolution: 'HD', max_stored_frame_rate: 29.97, aspect_ratio: '16:9', resolution_tier: '1080p', tracks: [{ type: 'video', max_width: 1920, max_height: 1080, max_frame_rate: 29.97, id: token('', 'muxtrackv', 36) }, { type: 'audio', max_channels: 2, id: token('', 'muxtracka', 36) }] } : {}), passthrough: 'video-1042' });
export const mux: HandProvider = {
  ...base,
  title: 'Mux',
  defaultEvent: 'video.asset.ready',
  typeIn: 'body',
  idIn: 'body',
  samples: [
    muxEvent('video.asset.created', 'asset', muxAsset('preparing')),
    muxEvent('video.asset.ready', 'asset', muxAsset('ready')),
    muxEvent('video.asset.errored', 'asset', { ...muxAsset('errored'), errors: { type: 'invalid_input', messages: ['The input file does not contain a video stream.'] } }),
    muxEvent('video.upload.asset_created', 'upload', { id: token('', 'muxupload', 36), status: 'asset_created', asset_id: muxAsset('preparing').id, timeout: 3600, new_asset_settings: { playback_policies: ['public'] }, cors_origin: 'https://example.com' }),
    muxEvent('video.live_stream.active', 'live', { id: token('', 'muxlive', 36), status: 'active', stream_key: '********', playback_ids: [{ policy: 'public', id: token('', 'muxliveplay', 36) }], reconnect_window: 60, latency_mode: 'standard', active_asset_id: muxAsset('preparing').id, created_at: T0 - 600 }),
  ],
};

// ---------------------------------------------------------------- Discord (interactions and webhook events; Ed25519)
const discordApp = digits('discordapp', 19);
const discordUser = { id: digits('discorduser', 18), username: 'jenny', avatar: hex('discordav', 32), discriminator: '0', global_name: 'Jenny', public_flags: 0 };
function discordInteraction(event: string, type: number, extra: Record<string, unknown>): HandSample {
  const id = digits(`discordinteraction${event}`, 19);
  return { event, id, body: { app_permissions: '562949953601536', application_id: discordApp, authorizing_integration_owners: {}, entitlements: [], id, token: token('aW50ZXJhY3Rpb246', `discordtoken${event}`, 120), type, version: 1, ...extra } };
}
const discordMember = { user: discordUser, roles: [], joined_at: iso(-8640000).replace('.000Z', '.000000+00:00'), nick: null, permissions: '2248473465835073', pending: false, mute: false, deaf: false, flags: 0 };
export const discord: HandProvider = {
  ...base,
  title: 'Discord',
  defaultEvent: 'PING',
  typeIn: 'body',
  idIn: 'body',
  samples: [
    discordInteraction('PING', 1, { user: discordUser }),
    discordInteraction('APPLICATION_COMMAND', 2, { data: { id: digits('discordcmd', 19), name: 'deploy', options: [{ name: 'environment', type: 3, value: 'staging' }], type: 1 }, guild_id: digits('discordguild', 18), channel_id: digits('discordchannel', 18), member: discordMember, locale: 'en-US', guild_locale: 'en-US', context: 0 }),
    discordInteraction('MESSAGE_COMPONENT', 3, { data: { custom_id: 'approve_deploy', component_type: 2 }, guild_id: digits('discordguild', 18), channel_id: digits('discordchannel', 18), member: discordMember, message: { id: digits('discordmessage', 19), channel_id: digits('discordchannel', 18), content: 'Deploy staging?', author: { id: discordApp, username: 'hookctl-bot', bot: true }, timestamp: iso(-30).replace('.000Z', '.000000+00:00'), components: [] }, locale: 'en-US', context: 0 }),
    { event: 'WEBHOOK_PING', body: { version: 1, application_id: discordApp, type: 0 } },
    { event: 'APPLICATION_AUTHORIZED', body: { version: 1, application_id: discordApp, type: 1, event: { type: 'APPLICATION_AUTHORIZED', timestamp: iso(0).replace('.000Z', '.000000+00:00'), data: { integration_type: 1, scopes: ['applications.commands'], user: discordUser } } } },
    { event: 'ENTITLEMENT_CREATE', body: { version: 1, application_id: discordApp, type: 1, event: { type: 'ENTITLEMENT_CREATE', timestamp: iso(0).replace('.000Z', '.000000+00:00'), data: { id: digits('discordent', 19), sku_id: digits('discordsku', 19), application_id: discordApp, user_id: discordUser.id, type: 8, deleted: false, starts_at: iso(0), ends_at: iso(2592000), consumed: false } } } },
  ],
};

// ---------------------------------------------------------------- Twitch EventSub (headers Twitch-Eventsub-Message-Id / -Type / -Subscription-Type)
function twitchEvent(type: string, version: string, condition: Record<string, string>, event: Record<string, unknown> | undefined, extra: Record<string, unknown> = {}): HandSample {
  return {
    event: type,
    body: { subscription: { id: uuid(`twitchsub${type}`), status: event ? 'enabled' : 'webhook_callback_verification_pending', type, version, cost: 0, condition, transport: { method: 'webhook', callback: 'https://example.com/webhooks/twitch' }, created_at: iso(-3600).replace('.000Z', '.634234626Z') }, ...(event ? { event } : {}), ...extra },
  };
}
const twitchBroadcaster = { broadcaster_user_id: '1337', broadcaster_user_login: 'cooler_user', broadcaster_user_name: 'Cooler_User' };
export const twitch: HandProvider = {
  ...base,
  title: 'Twitch',
  defaultEvent: 'channel.follow',
  typeIn: 'header',
  idIn: 'header',
  samples: [
    twitchEvent('channel.follow', '2', { broadcaster_user_id: '1337', moderator_user_id: '1337' }, { user_id: '1234', user_login: 'cool_user', user_name: 'Cool_User', ...twitchBroadcaster, followed_at: iso(0).replace('.000Z', '.17106713Z') }),
    twitchEvent('stream.online', '1', { broadcaster_user_id: '1337' }, { id: '9001', ...twitchBroadcaster, type: 'live', started_at: iso(0).replace('.000Z', '.010Z') }),
    twitchEvent('stream.offline', '1', { broadcaster_user_id: '1337' }, { ...twitchBroadcaster }),
    twitchEvent('channel.subscribe', '1', { broadcaster_user_id: '1337' }, { user_id: '1234', user_login: 'cool_user', user_name: 'Cool_User', ...twitchBroadcaster, tier: '1000', is_gift: false }),
    twitchEvent('channel.cheer', '1', { broadcaster_user_id: '1337' }, { is_anonymous: false, user_id: '1234', user_login: 'cool_user', user_name: 'Cool_User', ...twitchBroadcaster, message: 'pogchamp', bits: 1000 }),
    // Its type goes in Twitch-Eventsub-Message-Type (a headerType would make it a channel.update
    // notification, never answered); the subscription is the one send puts in -Subscription-Type.
    { ...twitchEvent('channel.follow', '2', { broadcaster_user_id: '1337', moderator_user_id: '1337' }, undefined, { challenge: 'pogchamp-kappa-360noscope-vohiyo' }), event: 'webhook_callback_verification' },
  ],
};

