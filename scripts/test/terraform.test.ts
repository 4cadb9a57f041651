import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { parse } from '@cdktf/hcl2json'
import t from 'tap'
import { parse as parseYaml } from 'yaml'

// No AWS account here, and Terraform's providers cannot be downloaded: every file of terraform/ is parsed as Terraform reads it
// (@cdktf/hcl2json: each block becomes an object keyed by type and name, its body in an array, and
// expressions stay text such as "${var.name}") and checked for what an operator relies on. The
// apps, their migrate images and the names of their settings are docker-compose.yml's.
const root = join(import.meta.dirname, '..', '..')
const dir = join(root, 'terraform')

// biome-ignore lint/suspicious/noExplicitAny: the parsed configuration is JSON of any shape
type Body = Record<string, any>

const files = (await readdir(dir, { recursive: true }))
  .filter((file) => file.endsWith('.tf') && !file.split('/').includes('.terraform'))
  .sort()
const texts = new Map<string, string>()
const unparsable: string[] = []
async function parseFile(file: string): Promise<Body | undefined> {
  const text = await readFile(join(dir, file), 'utf8')
  texts.set(file, text)
  try {
    return await parse(file, text)
  } catch (error) {
    unparsable.push(`${file}: ${(error as Error).message}`)
    return undefined
  }
}

// Every file's blocks, merged as Terraform merges a folder's files.
const resources: Record<string, Record<string, Body>> = {}
const data: Record<string, Record<string, Body>> = {}
const variables: Record<string, Body> = {}
const outputs: Record<string, Body> = {}
const locals: Body = {}
const settings: Body[] = []
const providers: Record<string, Body> = {}
const modules: Record<string, Body> = {}
const moduleFiles: Record<string, Body> = {}
for (const file of files) {
  const config = await parseFile(file)
  if (!config) continue
  // A module's own blocks are its own: read apart, not merged into the root's.
  if (file.includes('/')) {
    moduleFiles[file] = config
    continue
  }
  for (const [name, [body]] of Object.entries<Body[]>(config.module ?? {})) modules[name] = body as Body
  for (const [into, blocks] of [
    [resources, config.resource],
    [data, config.data],
  ] as const) {
    for (const [type, byName] of Object.entries<Record<string, Body[]>>(blocks ?? {})) {
      for (const [name, [body]] of Object.entries(byName)) into[type] = { ...into[type], [name]: body as Body }
    }
  }
  for (const [name, [body]] of Object.entries<Body[]>(config.variable ?? {})) variables[name] = body as Body
  for (const [name, [body]] of Object.entries<Body[]>(config.output ?? {})) outputs[name] = body as Body
  for (const [name, [body]] of Object.entries<Body[]>(config.provider ?? {})) providers[name] = body as Body
  for (const block of config.locals ?? []) Object.assign(locals, block)
  settings.push(...(config.terraform ?? []))
}
const example = (await parseFile('terraform.tfvars.example')) ?? {}

// docker-compose.yml: the apps (built with target app), those with a migrate image, and each app's settings.
type ComposeService = { build?: { target?: string; args?: { APP?: string } }; environment?: Record<string, string> }
const compose = parseYaml(await readFile(join(root, 'docker-compose.yml'), 'utf8'), { merge: true }) as {
  services: Record<string, ComposeService>
}
const built = Object.values(compose.services).filter((service) => service.build?.args?.APP)
const composeApps = new Map(
  built.filter((service) => service.build?.target === 'app').map((service) => [service.build!.args!.APP!, service]),
)
const APPS = [...composeApps.keys()].sort()
const MIGRATED = built
  .filter((service) => service.build?.target === 'migrate')
  .map((service) => service.build!.args!.APP!)
  .sort()
// What docker compose passes for local trials only; a production deployment leaves it unset.
const DEVELOPMENT_ONLY = ['OTP_ALLOW_DEV_DELIVERY']
// The settings that must be secrets, whichever app reads them.
const SECRETS = ['DATABASE_ADMIN_URL', 'DATABASE_URL', 'JWT_SECRET', 'MSG91_AUTH_KEY', 'MSG91_TEMPLATE_ID', 'OTP_PEPPER', 'SMTP_URL']
const LOOKS_SECRET = /SECRET|PEPPER|PASSWORD|KEY|TOKEN|CREDENTIAL|DATABASE_\w*URL|SMTP_URL/

// ---- Reading expressions -------------------------------------------------------------------

const sorted = (values: Iterable<string>) => [...new Set(values)].sort()

/** A value that is one Terraform expression, as the parser writes it: tf('var.name') is "${var.name}". */
const tf = (expression: string) => `\${${expression}}`

/** The resources of one type, by name. */
const all = (type: string) => Object.entries(resources[type] ?? {})

/** The name of the `type` resource that a value such as "${aws_security_group.alb.id}" refers to. */
function refersTo(value: unknown, type: string): string | undefined {
  if (typeof value !== 'string') return undefined
  return new RegExp(`^\\$\\{${type.replaceAll('.', '\\.')}\\.(\\w+)(?:\\[[^\\]]+\\])?(?:\\.\\w+)?\\}$`).exec(value)?.[1]
}

/** The variable a value such as "${var.multi_az}" is, when it is one. */
function variableOf(value: unknown): Body | undefined {
  const name = typeof value === 'string' ? /^\$\{var\.(\w+)\}$/.exec(value)?.[1] : undefined
  return name === undefined ? undefined : variables[name]
}

/** The keys a for_each goes over: a local's (a map's keys or a list's values), or another resource's for_each. */
function forEachKeys(value: unknown): string[] | undefined {
  const inner = typeof value === 'string' ? /^\$\{([\w.()]+)\}$/.exec(value)?.[1] : undefined
  if (inner === undefined) return undefined
  const local = /^(?:toset\()?local\.(\w+)\)?$/.exec(inner)?.[1]
  if (local !== undefined) {
    // A local that is a variable goes over the variable's default.
    const found = variableOf(locals[local])?.default ?? locals[local]
    if (Array.isArray(found)) return found.map(String).sort()
    return found && typeof found === 'object' ? Object.keys(found).sort() : undefined
  }
  const [type = '', name = ''] = inner.split('.')
  const body = resources[type]?.[name]
  return body ? forEachKeys(body.for_each) : undefined
}

/**
 * The local a task definition's container takes its environment and secrets from, when those
 * are its only environment and secrets and are built as ECS wants them from the local's maps.
 */
function containerSource(taskDefinition: Body): string | undefined {
  const text = String(taskDefinition.container_definitions)
  const environment = [
    ...text.matchAll(
      /\benvironment\s*=\s*\[for (\w+), (\w+) in local\.(\w+)\[each\.key\]\.environment\s*:\s*\{\s*name\s*=\s*\1,\s*value\s*=\s*\2\s*\}\]/g,
    ),
  ]
  const secrets = [
    ...text.matchAll(
      /\bsecrets\s*=\s*\[for (\w+), (\w+) in local\.(\w+)\[each\.key\]\.secrets\s*:\s*\{\s*name\s*=\s*\1,\s*valueFrom\s*=\s*\2\s*\}\]/g,
    ),
  ]
  const named = text.match(/\b(environment|secrets)\s*=/g) ?? []
  if (environment.length !== 1 || secrets.length !== 1 || named.length !== 2) return undefined
  return environment[0]?.[3] === secrets[0]?.[3] ? environment[0]?.[3] : undefined
}

type Container = { environment: Record<string, string>; secrets: Record<string, string> }
/** The containers a task definition's for_each makes, by app, as its local describes them. */
function containersOf(taskDefinition: Body | undefined): Record<string, Container> {
  const source = taskDefinition && containerSource(taskDefinition)
  return source === undefined ? {} : (locals[source] as Record<string, Container>)
}

/** The ECS services: the calls of modules/ecs-service, each with the app it runs (local.services[app]). */
const serviceCalls: [string, Body][] = Object.entries(modules).flatMap(([name, call]): [string, Body][] => {
  if (call.source !== './modules/ecs-service') return []
  const app = /^\$\{local\.services(?:\["([^"]+)"\]|\.([\w-]+))\}$/.exec(String(call.app))
  return [[name, { ...call, appName: app?.[1] ?? app?.[2] }]]
})

/** The call of modules/ecs-service that runs `app`. */
const ecsServiceOf = (app: string) => serviceCalls.find(([, call]) => call.appName === app)

/** The module every app's ECS service is: its one resource, and its text. */
const serviceModule = {
  resource: moduleFiles['modules/ecs-service/main.tf']?.resource?.aws_ecs_service?.this?.[0] as Body | undefined,
  text: texts.get('modules/ecs-service/main.tf') ?? '',
}
/** How local.services describes each app's service (one for expression over local.tasks). */
const perApp = String(locals.services ?? '')

/** An ALB path pattern (* and ?) as a regular expression. */
const pathPattern = (pattern: string) =>
  new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replaceAll('*', '.*')
      .replaceAll('?', '.')}$`,
  )

const apps = containersOf(resources.aws_ecs_task_definition?.app)
const migrations = containersOf(resources.aws_ecs_task_definition?.migrate)

// ---- The checks ----------------------------------------------------------------------------

t.test('every file parses, and docker-compose.yml names the apps', async (t) => {
  t.ok(files.length > 0, 'terraform/ has .tf files')
  t.same(unparsable, [], unparsable.length > 0 ? `files that do not parse: ${unparsable.join('; ')}` : 'every file parses')
  t.ok(APPS.length > 0 && MIGRATED.length > 0, `the apps (${APPS}) and those with a migrate image (${MIGRATED})`)
  t.ok(texts.has('terraform.tfvars.example'), 'terraform.tfvars.example is there')
})

t.test('PostgreSQL holds all state: no Redis, no ElastiCache', async (t) => {
  for (const [file, text] of texts) t.notMatch(text, /redis|elasticache/i, `${file} names neither Redis nor ElastiCache`)
})

t.test('versions and provider', async (t) => {
  const terraform = Object.assign({}, ...settings) as Body
  t.match(terraform.required_version, /^>=\s*1\.(6|[7-9]|\d\d)/, 'Terraform 1.6 or later')
  const required = Object.assign({}, ...(terraform.required_providers ?? [])) as Body
  t.match(required.aws, { source: 'hashicorp/aws', version: '~> 5.0' }, 'the AWS provider 5.x')
  t.match(required.random, { source: 'hashicorp/random' }, 'the random provider, for the generated secrets')
  t.equal(providers.aws?.region, tf('var.aws_region'), 'the region is a variable')
  t.ok(providers.aws?.default_tags?.[0]?.tags, 'every resource is tagged')
})

t.test('the database: encrypted, private, backed up, the password generated', async (t) => {
  const instances = all('aws_db_instance')
  t.equal(instances.length, 1, 'one RDS instance')
  const [, db = {}] = instances[0] ?? []
  t.equal(db.engine, 'postgres', 'PostgreSQL')
  t.match(db.engine_version, /^16(\.|$)/, 'version 16')
  t.equal(db.storage_encrypted, true, 'its storage is encrypted')
  t.equal(db.publicly_accessible, false, 'it is not publicly accessible')

  const multiAz = variableOf(db.multi_az)
  t.ok(multiAz, 'multi_az is a variable')
  t.equal(multiAz?.type, tf('bool'), 'a bool')
  const retention = variableOf(db.backup_retention_period)
  t.ok(retention, 'the backup retention is a variable')
  t.ok(typeof retention?.default === 'number' && retention.default > 0, `backups are kept by default (${retention?.default} days)`)
  t.equal(variableOf(db.deletion_protection)?.default, true, 'deletion protection, on by default')
  t.equal(variableOf(db.skip_final_snapshot)?.default, false, 'a final snapshot unless told otherwise')
  t.ok(db.final_snapshot_identifier, 'the final snapshot is named')
  t.ok(refersTo(db.password, 'random_password'), 'the master password is generated')
  t.notOk(/^\$\{var\./.test(String(db.password)), 'the master password is no variable')

  const subnetGroup = resources.aws_db_subnet_group?.[refersTo(db.db_subnet_group_name, 'aws_db_subnet_group') ?? '']
  t.equal(subnetGroup?.subnet_ids, tf('local.private_subnet_ids'), 'its subnet group is the private subnets')
  t.match(locals.private_subnet_ids, /aws_subnet\.private\[\*\]\.id/, 'the private subnets created here')
  t.match(locals.private_subnet_ids, /var\.private_subnet_ids/, 'or those given')
  t.equal(resources.aws_subnet?.private?.map_public_ip_on_launch, false, 'which give no public address')
  const natRoutes = all('aws_route').filter(([, route]) => refersTo(route.route_table_id, 'aws_route_table') === 'private')
  t.ok(
    natRoutes.length > 0 && natRoutes.every(([, route]) => refersTo(route.nat_gateway_id, 'aws_nat_gateway') && !route.gateway_id),
    'and go out through NAT, not the internet gateway',
  )
  const parameters = Object.values(resources.aws_db_parameter_group ?? {}).flatMap((group) => group.parameter ?? [])
  t.ok(
    refersTo(db.parameter_group_name, 'aws_db_parameter_group') &&
      parameters.some((parameter: Body) => parameter.name === 'rds.force_ssl' && String(parameter.value) === '1'),
    'its parameter group requires TLS',
  )
  t.same(locals.databases && Object.keys(locals.databases).sort(), MIGRATED, 'one database per service that has one')
  t.same(
    Object.values(locals.databases ?? {}).sort(),
    MIGRATED.map((app) => app.replace('-', '_')).sort(),
    'named after the service (otp_service...)',
  )
})

t.test('one task definition and one ECS service per app; a migrate task per database', async (t) => {
  const taskDefinition = resources.aws_ecs_task_definition?.app ?? {}
  t.same(forEachKeys(taskDefinition.for_each), APPS, 'a task definition per app')
  t.same(Object.keys(apps).sort(), APPS, 'its container, from a local per app')
  t.match(
    taskDefinition.container_definitions,
    /image\s*=\s*"\$\{var\.image_repository\}\/otp-suite\/\$\{each\.key\}:\$\{var\.image_tag\}"/,
    'each from its image, otp-suite/<app>, of the release given',
  )
  t.match(taskDefinition.container_definitions, /containerPort\s*=\s*3000/, 'listening on 3000')
  t.match(
    taskDefinition.container_definitions,
    /awslogs-group"\s*=\s*aws_cloudwatch_log_group\.app\[each\.key\]\.name/,
    'logging to its group',
  )
  t.same(taskDefinition.requires_compatibilities, ['FARGATE'], 'for Fargate')
  t.equal(taskDefinition.network_mode, 'awsvpc', 'each task with its own network interface')
  t.same(forEachKeys(resources.aws_cloudwatch_log_group?.app?.for_each), APPS, 'a log group per app')
  t.ok(variableOf(resources.aws_cloudwatch_log_group?.app?.retention_in_days)?.default, 'kept for a set time')

  t.same(serviceCalls.map(([, call]) => call.appName).sort(), APPS, 'exactly one ECS service per app')
  t.match(perApp, /^\$\{\{\s*for (\w+), \w+ in local\.tasks\s*:\s*\1 =>/, 'each app described once, from its tasks')
  t.match(perApp, /task_definition_arn\s*=\s*aws_ecs_task_definition\.app\[(\w+)\]\.arn/, 'each with its own task definition')
  t.match(perApp, /cluster_id\s*=\s*aws_ecs_cluster\.\w+\.id/, 'in the cluster')
  t.match(perApp, /namespace_arn\s*=\s*aws_service_discovery_http_namespace\.\w+\.arn/, 'in the Service Connect namespace')
  t.match(perApp, /subnet_ids\s*=\s*local\.private_subnet_ids/, 'in the private subnets')
  const service = serviceModule.resource ?? {}
  t.equal(service.launch_type, 'FARGATE', 'on Fargate')
  t.match(service.network_configuration?.[0], { subnets: tf('var.app.subnet_ids'), assign_public_ip: false }, 'no public address')
  t.match(service.deployment_circuit_breaker?.[0], { enable: true, rollback: true }, 'a failed deployment rolls back')
  t.match(service.service_connect_configuration?.[0], { enabled: true, namespace: tf('var.app.namespace_arn') }, 'Service Connect on')
  const [cluster = {}] = Object.values(resources.aws_ecs_cluster ?? {})
  t.same(cluster.setting, [{ name: 'containerInsights', value: 'enabled' }], 'Container Insights on')

  const migrate = resources.aws_ecs_task_definition?.migrate ?? {}
  t.same(forEachKeys(migrate.for_each), MIGRATED, 'a migrate task definition per service with a database')
  t.match(
    migrate.container_definitions,
    /image\s*=\s*"\$\{var\.image_repository\}\/otp-suite\/\$\{each\.key\}-migrate:\$\{var\.image_tag\}"/,
    'from its migrate image',
  )
  t.same(Object.keys(migrations).sort(), MIGRATED, 'its container, from a local per service')
  for (const app of MIGRATED) {
    t.same(sorted(Object.keys(migrations[app]?.secrets ?? {})), ['DATABASE_ADMIN_URL', 'DATABASE_URL'], `${app}-migrate: two URLs only`)
    t.equal(migrations[app]?.secrets.DATABASE_URL, apps[app]?.secrets.DATABASE_URL, `${app}-migrate: the service's own database`)
    t.equal(
      migrations[app]?.secrets.DATABASE_ADMIN_URL,
      tf('aws_secretsmanager_secret.database_admin_url.arn'),
      `${app}-migrate: the master role's, to make the service's role and database`,
    )
  }
  for (const app of APPS) t.notOk('DATABASE_ADMIN_URL' in (apps[app]?.secrets ?? {}), `${app}: not the master role's URL`)
  // A task starts only once its secrets have values: the migrate tasks' two, whichever is applied alone.
  for (const version of ['database_url', 'database_admin_url'])
    t.ok(migrate.depends_on?.includes(`\${aws_secretsmanager_secret_version.${version}}`), `the migrate tasks wait for ${version}`)
  t.match(outputs.migrate_commands?.value, /aws ecs run-task/, 'an output gives the command that runs them')
  t.match(outputs.migrate_commands?.value, /aws_ecs_task_definition\.migrate\[app\]/, 'for each migrate task definition')
})

t.test('every app scales on CPU between its min and max tasks', async (t) => {
  const targets = all('aws_appautoscaling_target')
  t.same(targets.flatMap(([, target]) => forEachKeys(target.for_each) ?? []).sort(), APPS, 'a scaling target per app')
  for (const [name, target] of targets) {
    const serviceLocal = /^service\/\$\{aws_ecs_cluster\.\w+\.name\}\/\$\{local\.(\w+)\[each\.key\]\.name\}$/.exec(target.resource_id)?.[1]
    t.ok(serviceLocal, `${name}: the target is an ECS service`)
    for (const app of APPS) {
      t.equal(locals[serviceLocal ?? '']?.[app], `\${module.${ecsServiceOf(app)?.[0]}}`, `${app}: its own service`)
    }
    const tasks = variableOf(locals[/^\$\{local\.(\w+)\}$/.exec(target.for_each)?.[1] ?? ''])
    t.match(tasks?.type, /cpu\s*=\s*optional\(number,\s*256\)/, '0.25 vCPU by default')
    t.match(tasks?.type, /memory\s*=\s*optional\(number,\s*512\)/, '512 MiB by default')
    t.match(tasks?.type, /min_tasks\s*=\s*optional\(number,\s*1\)/, 'a minimum')
    t.match(tasks?.type, /max_tasks\s*=\s*optional\(number,\s*\d+\)/, 'a maximum')
    t.same(Object.keys(tasks?.default ?? {}).sort(), APPS, 'every app by default')
    t.match(tasks?.default?.gateway, { min_tasks: 2 }, 'two gateways, one per zone')
    t.match(
      target,
      { min_capacity: tf('each.value.min_tasks'), max_capacity: tf('each.value.max_tasks') },
      `${name}: between min_tasks and max_tasks`,
    )
  }
  const policies = all('aws_appautoscaling_policy')
  t.same(policies.flatMap(([, policy]) => forEachKeys(policy.for_each) ?? []).sort(), APPS, 'a scaling policy per app')
  for (const [name, policy] of policies) {
    t.ok(refersTo(policy.for_each, 'aws_appautoscaling_target'), `${name}: one per scaling target`)
    t.equal(policy.resource_id, tf('each.value.resource_id'), `${name}: on that target`)
    t.equal(policy.policy_type, 'TargetTrackingScaling', `${name}: target tracking`)
    const tracking = policy.target_tracking_scaling_policy_configuration?.[0]
    t.equal(
      tracking?.predefined_metric_specification?.[0]?.predefined_metric_type,
      'ECSServiceAverageCPUUtilization',
      `${name}: of the service's average CPU`,
    )
    t.ok(variableOf(tracking?.target_value)?.default, `${name}: the CPU target is a variable with a default`)
  }
})

t.test('the apps get docker compose’s settings, and reach each other by its names', async (t) => {
  for (const app of APPS) {
    const container = apps[app]
    const composed = Object.keys(composeApps.get(app)?.environment ?? {}).filter((name) => !DEVELOPMENT_ONLY.includes(name))
    t.same(
      sorted([...Object.keys(container?.environment ?? {}), ...Object.keys(container?.secrets ?? {})]),
      sorted(composed),
      `${app}: the settings docker compose gives it`,
    )
    t.equal(container?.environment.NODE_ENV, 'production', `${app}: in production`)
    t.ok(container?.environment.TRUSTED_PROXIES, `${app}: believes the proxy in front of it`)
    t.equal(container?.environment.PROCESSES, tf(`local.processes["${app}"]`), `${app}: runs the processes its tasks are given`)

    const [serviceName, service] = ecsServiceOf(app) ?? []
    for (const [name, value] of Object.entries(container?.environment ?? {})) {
      const url = /^http:\/\/([a-z-]+):(\d+)$/.exec(value)
      if (!url) continue
      t.equal(value, composeApps.get(app)?.environment?.[name], `${app}: ${name} is docker compose's ${value}`)
      const callee = ecsServiceOf(url[1] as string)
      t.ok(callee && url[2] === '3000', `${app}: ${url[1]}:${url[2]} is a Service Connect name`)
      t.ok(
        service?.depends_on?.includes(`\${module.${callee?.[0]}}`),
        `${serviceName}: created after ${url[1]}, so its tasks can resolve the name`,
      )
    }
  }
  t.equal(
    locals.processes,
    tf('{ for app, size in var.tasks : app => tostring(coalesce(size.processes, max(1, floor(size.cpu / 1024)))) }'),
    '(as written) the processes given, or one per whole vCPU of a task, at least one',
  )
  // Every app but the gateway registers under its own name, on 3000.
  t.match(perApp, /discoverable\s*=\s*(\w+) != "gateway"/, 'the services are registered, the gateway is a client only')
  t.match(serviceModule.text, /for_each = var\.app\.discoverable \? \[var\.app\.name\] : \[\]/, 'under its name when it is')
  t.match(serviceModule.text, /client_alias \{\s*dns_name = service\.value\s*port\s*= 3000/, 'as <name>:3000')
  const gatewayUrls = Object.keys(apps.gateway?.environment ?? {}).filter((name) => name.endsWith('_SERVICE_URLS'))
  t.equal(gatewayUrls.length, MIGRATED.length, 'the gateway knows every service')
})

t.test('secrets live in Secrets Manager and reach containers only as secrets', async (t) => {
  const containers = [
    ...Object.entries(apps),
    ...Object.entries(migrations).map(([app, container]) => [`${app}-migrate`, container] as const),
  ]
  t.equal(containers.length, APPS.length + MIGRATED.length, 'the containers of the apps and of the migrate tasks are all read')
  const secretNames = sorted(containers.flatMap(([, container]) => Object.keys(container.secrets)))
  const environmentNames = sorted(containers.flatMap(([, container]) => Object.keys(container.environment)))
  for (const name of SECRETS) t.ok(secretNames.includes(name), `${name} is a secret`)
  for (const name of environmentNames) t.notMatch(name, LOOKS_SECRET, `${name}, a plain setting, does not look like a secret`)
  t.same(
    environmentNames.filter((name) => secretNames.includes(name)),
    [],
    'no secret is also plain environment',
  )

  for (const [app, container] of containers) {
    for (const [name, arn] of Object.entries(container.secrets)) {
      const [, resource = '', key] = /^\$\{aws_secretsmanager_secret\.(\w+)(?:\["([^"]+)"\])?\.arn\}$/.exec(arn) ?? []
      const secret = resources.aws_secretsmanager_secret?.[resource]
      t.ok(secret, `${app}: ${name} is a Secrets Manager secret`)
      if (key === undefined) {
        // A secret of its own (no for_each): named as the variable.
        t.equal(secret?.name, `\${var.name}/${name}`, `${app}: ${name} is the secret of that name`)
        const version = all('aws_secretsmanager_secret_version').find(
          ([, body]) => refersTo(body.secret_id, 'aws_secretsmanager_secret') === resource,
        )
        t.ok(version, `${app}: ${name} has a value`)
        continue
      }
      t.ok(forEachKeys(secret?.for_each)?.includes(key), `${app}: ${name}: its secret exists`)
      t.equal(key, name === 'DATABASE_URL' ? app.replace(/-migrate$/, '') : name, `${app}: ${name} is the secret of that name`)
      const version = all('aws_secretsmanager_secret_version').find(
        ([, body]) =>
          refersTo(body.secret_id, 'aws_secretsmanager_secret') === resource ||
          (refersTo(body.for_each, 'aws_secretsmanager_secret') === resource && body.secret_id === tf('each.value.id')),
      )
      t.ok(version && forEachKeys(version[1].for_each)?.includes(key), `${app}: ${name} has a value`)
    }
  }

  t.same(locals.secret_names && sorted(locals.secret_names), sorted(Object.keys(locals.secret_values ?? {})), 'each secret has its value')
  for (const name of ['JWT_SECRET', 'OTP_PEPPER']) {
    const generated = resources.random_password?.[refersTo(locals.secret_values?.[name], 'random_password') ?? '']
    t.ok(generated && generated.length >= 48, `${name} is generated, at least 48 characters`)
  }
  for (const [name, value] of Object.entries(locals.secret_values ?? {})) {
    const variable = variableOf(value)
    t.ok(refersTo(value, 'random_password') || variable?.sensitive === true, `${name}: generated, or given by a sensitive variable`)
    if (variable) t.notOk('default' in variable, `${name}: its variable has no default`)
  }
  t.equal(
    resources.aws_secretsmanager_secret_version?.suite?.secret_string,
    tf('local.secret_values[each.key]'),
    'each secret is given its value',
  )
  const databaseUrl = String(resources.aws_secretsmanager_secret_version?.database_url?.secret_string)
  t.match(
    databaseUrl,
    /^postgres:\/\/\$\{each\.value\}:\$\{urlencode\(random_password\.(\w+)\[each\.key\]\.result\)\}@\$\{aws_db_instance\.\w+\.address\}/,
    'DATABASE_URL: on the instance, as a role of the service’s own (named as its database) with a password of its own',
  )
  const servicePassword = /random_password\.(\w+)\[/.exec(databaseUrl)?.[1] ?? ''
  t.same(forEachKeys(resources.random_password?.[servicePassword]?.for_each), MIGRATED, 'a password per service')
  const adminUrl = String(resources.aws_secretsmanager_secret_version?.database_admin_url?.secret_string)
  t.match(
    adminUrl,
    /^postgres:\/\/\$\{aws_db_instance\.\w+\.username\}:\$\{urlencode\(random_password\.database\.result\)\}@.*\/postgres\?sslmode=/,
    'DATABASE_ADMIN_URL: the master role, over TLS',
  )
  t.match(databaseUrl, /\/\$\{each\.value\}\?sslmode=/, 'DATABASE_URL: the service’s own database, over TLS')
})

t.test('IAM: the execution role reads exactly these secrets; the task role may do nothing', async (t) => {
  const definitions = Object.values(resources.aws_ecs_task_definition ?? {})
  const execution = sorted(definitions.map((definition) => refersTo(definition.execution_role_arn, 'aws_iam_role') ?? '?'))
  const task = sorted(definitions.map((definition) => refersTo(definition.task_role_arn, 'aws_iam_role') ?? '?'))
  t.equal(execution.length, 1, 'one execution role')
  t.equal(task.length, 1, 'one task role')
  t.not(execution[0], task[0], 'two different roles')

  const attached = all('aws_iam_role_policy_attachment').filter(([, body]) => refersTo(body.role, 'aws_iam_role') === execution[0])
  t.match(
    attached.map(([, body]) => body.policy_arn),
    [/:iam::aws:policy\/service-role\/AmazonECSTaskExecutionRolePolicy$/],
    'the execution role has the managed policy',
  )
  const inline = all('aws_iam_role_policy').filter(([, body]) => refersTo(body.role, 'aws_iam_role') === execution[0])
  t.equal(inline.length, 1, 'and one policy of its own')
  const document = data.aws_iam_policy_document?.[refersTo(inline[0]?.[1].policy, 'data.aws_iam_policy_document') ?? '']
  t.same(
    document?.statement?.map((statement: Body) => statement.actions),
    [['secretsmanager:GetSecretValue']],
    'reading secrets only',
  )
  const readable = String(document?.statement?.[0]?.resources)
  t.notMatch(readable, /\*/, 'no wildcard')
  t.same(
    sorted([...readable.matchAll(/aws_secretsmanager_secret\.(\w+)/g)].map((match) => match[1] as string)),
    sorted(Object.keys(resources.aws_secretsmanager_secret ?? {})),
    'every secret of the suite',
  )
  const forTask = [...all('aws_iam_role_policy'), ...all('aws_iam_role_policy_attachment'), ...all('aws_iam_policy_attachment')].filter(
    ([, body]) => refersTo(body.role, 'aws_iam_role') === task[0] || String(body.roles ?? '').includes(`aws_iam_role.${task[0]}.`),
  )
  t.same(forTask, [], 'the task role has no permission')
  t.notOk(resources.aws_iam_role?.[task[0] ?? '']?.managed_policy_arns, 'not even a managed one')
})

t.test('the load balancer fronts the gateway only, over HTTPS', async (t) => {
  const targetGroups = all('aws_lb_target_group')
  t.equal(targetGroups.length, 1, 'one target group')
  const [groupName, group = {}] = targetGroups[0] ?? []
  t.match(group, { port: 3000, protocol: 'HTTP', target_type: 'ip' }, "the gateway's port, its tasks' addresses")
  t.match(group.health_check?.[0]?.path, /^\/health\//, 'checked on a health route')
  t.match(
    perApp,
    new RegExp(`target_group_arn\\s*=\\s*(\\w+) == "gateway" \\? aws_lb_target_group\\.${groupName}\\.arn : null`),
    'only the gateway is behind it',
  )
  t.match(
    serviceModule.text,
    /dynamic "load_balancer" \{\s*for_each = var\.app\.target_group_arn == null \? \[\] : \[var\.app\.target_group_arn\]\s*content \{\s*target_group_arn = load_balancer\.value\s*container_name\s*= var\.app\.name\s*container_port\s*= 3000/,
    'its tasks register in the target group on 3000',
  )

  const listeners = all('aws_lb_listener')
  const [httpsName, https = {}] = listeners.find(([, listener]) => listener.port === 443) ?? []
  t.match(https, { protocol: 'HTTPS', certificate_arn: tf('var.certificate_arn') }, 'HTTPS on 443 with the certificate given')
  t.equal(https.ssl_policy, 'ELBSecurityPolicy-TLS13-1-2-2021-06', 'TLS 1.2 and 1.3 only')
  t.match(
    variableOf(https.certificate_arn)?.validation?.[0]?.condition,
    /arn:aws:acm:/,
    'certificate_arn is checked to be an ACM certificate',
  )
  const [, http = {}] = listeners.find(([, listener]) => listener.port === 80) ?? []
  t.match(
    http.default_action?.[0],
    { type: 'redirect', redirect: [{ port: '443', protocol: 'HTTPS', status_code: 'HTTP_301' }] },
    'port 80 redirects to HTTPS',
  )
  t.equal(listeners.length, 2, 'no other listener')

  const rules = all('aws_lb_listener_rule').filter(([, rule]) => refersTo(rule.listener_arn, 'aws_lb_listener') === httpsName)
  const forwards = [...(https.default_action ?? []), ...rules.flatMap(([, rule]) => rule.action ?? [])].filter(
    (action: Body) => action.type === 'forward',
  )
  t.ok(forwards.length > 0, 'requests are forwarded')
  t.ok(
    forwards.every((action: Body) => action.target_group_arn === `\${aws_lb_target_group.${groupName}.arn}`),
    'to the gateway’s target group',
  )
  const forwarded = rules
    .filter(([, rule]) => rule.action?.some((action: Body) => action.type === 'forward'))
    .flatMap(([, rule]) => rule.condition?.flatMap((condition: Body) => condition.path_pattern?.[0]?.values ?? []) ?? [])
    .map(pathPattern)
  t.notOk(
    https.default_action?.some((action: Body) => action.type === 'forward'),
    'only chosen paths are forwarded',
  )
  for (const path of ['/api/v1/otp/send', '/health/ready', '/docs/json', '/admin/', '/admin/assets/index.js']) {
    t.ok(
      forwarded.some((pattern) => pattern.test(path)),
      `${path} reaches the gateway`,
    )
  }
  t.notOk(
    forwarded.some((pattern) => pattern.test('/metrics')),
    '/metrics does not',
  )

  const [, alb = {}] = all('aws_lb')[0] ?? []
  t.match(alb, { load_balancer_type: 'application', internal: false, subnets: tf('local.public_subnet_ids') }, 'in the public subnets')
  t.equal(alb.drop_invalid_header_fields, true, 'invalid header fields are dropped')
})

t.test('security groups: internet → ALB → gateway → services → database', async (t) => {
  const groupOf = (values: unknown) =>
    sorted((Array.isArray(values) ? values : []).map((value) => refersTo(value, 'aws_security_group') ?? '?'))
  // The gateway's group, and the one every other app shares, as local.services gives them.
  const groups = /security_group_ids\s*=\s*\[(\w+) == "gateway" \? aws_security_group\.(\w+)\.id : aws_security_group\.(\w+)\.id\]/.exec(
    perApp,
  )
  const [gatewayGroup, servicesGroup] = [groups?.[2], groups?.[3]]
  const servicesGroups = servicesGroup === undefined ? [] : [servicesGroup]
  const [databaseGroup] = groupOf(all('aws_db_instance')[0]?.[1].vpc_security_group_ids)
  const [albGroup] = groupOf(all('aws_lb')[0]?.[1].security_groups)
  t.equal(servicesGroups.length, 1, 'the services share one group')
  t.equal(
    new Set([gatewayGroup, servicesGroup, databaseGroup, albGroup]).size,
    4,
    'the gateway, services, database and ALB each have their own',
  )
  t.match(outputs.migrate_commands?.value, `aws_security_group.${servicesGroup}.id`, "the migrate tasks run in the services' group")

  t.same(
    all('aws_security_group').filter(([, group]) => group.ingress || group.egress),
    [],
    'rules are resources of their own, all read here',
  )
  t.same(all('aws_security_group_rule'), [], 'no rule of the older kind either')
  const ingress = all('aws_vpc_security_group_ingress_rule').map(([, rule]) => ({
    group: refersTo(rule.security_group_id, 'aws_security_group'),
    from: refersTo(rule.referenced_security_group_id, 'aws_security_group') ?? rule.cidr_ipv4 ?? rule.cidr_ipv6 ?? rule.prefix_list_id,
    port: `${rule.ip_protocol}/${rule.from_port}-${rule.to_port}`,
  }))
  const into = (group?: string) => ingress.filter((rule) => rule.group === group)
  const sources = (group?: string) => sorted(into(group).map((rule) => String(rule.from)))
  const ports = (group?: string) => sorted(into(group).map((rule) => rule.port))

  t.same(sources(albGroup), ['0.0.0.0/0'], 'the ALB: from anywhere')
  t.same(ports(albGroup), ['tcp/443-443', 'tcp/80-80'], 'on 80 and 443')
  t.same(sources(gatewayGroup), [albGroup], 'the gateway: from the ALB only')
  t.same(ports(gatewayGroup), ['tcp/3000-3000'], 'on 3000')
  t.same(sources(servicesGroup), sorted([gatewayGroup ?? '', servicesGroup ?? '']), 'the services: from the gateway and each other only')
  t.same(ports(servicesGroup), ['tcp/3000-3000'], 'on 3000')
  t.same(sources(databaseGroup), [servicesGroup], 'the database: from the services only')
  t.same(ports(databaseGroup), ['tcp/5432-5432'], 'on 5432')
  t.notOk(sources(databaseGroup).includes(gatewayGroup ?? ''), 'the gateway cannot reach the database')
  t.equal(into(undefined).length, 0, 'every rule belongs to a group made here')
})

t.test('variables: described, typed, sensitive when secret; the example sets every required one', async (t) => {
  t.ok(Object.keys(variables).length > 0)
  for (const [name, variable] of Object.entries(variables)) {
    t.ok(typeof variable.description === 'string' && variable.description.trim().length > 0, `${name} has a description`)
    t.ok(variable.type, `${name} has a type`)
    if (/secret|password|pepper|auth_key|token|smtp_url/.test(name) && !/_days$/.test(name)) {
      t.equal(variable.sensitive, true, `${name} is sensitive`)
      t.notOk('default' in variable, `${name} has no default`)
    }
  }
  const required = Object.entries(variables)
    .filter(([, variable]) => !('default' in variable))
    .map(([name]) => name)
  t.ok(required.length > 0, 'some variables must be given')
  for (const name of required) t.ok(name in example, `terraform.tfvars.example sets ${name}`)
  for (const name of Object.keys(example)) t.ok(name in variables, `terraform.tfvars.example: ${name} is a variable`)
  for (const [name, value] of Object.entries(example)) {
    if (variables[name]?.sensitive) t.match(value, /example|your-/, `terraform.tfvars.example: ${name} is a placeholder`)
  }
})

t.test('outputs for the operator', async (t) => {
  for (const name of ['alb_dns_name', 'gateway_url', 'cluster_name', 'db_endpoint', 'secret_arns', 'migrate_commands']) {
    t.ok(outputs[name]?.value, `${name}`)
    t.ok(outputs[name]?.description, `${name} is described`)
  }
  t.match(outputs.alb_dns_name?.value, /^\$\{aws_lb\.\w+\.dns_name\}$/)
  t.match(outputs.secret_arns?.value, /aws_secretsmanager_secret\.suite/)
  t.match(outputs.secret_arns?.value, /aws_secretsmanager_secret\.database_url/)
})
