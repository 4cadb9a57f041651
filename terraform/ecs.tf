# The four apps on ECS Fargate, in the private subnets: one task definition and one service each.
# They reach each other through ECS Service Connect as http://otp-service:3000 and so on, the
# names docker compose gives them. Each service with a database also has a migrate task
# definition, run once per release before the new images (outputs.tf: migrate_commands).

locals {
  # The services behind the gateway, each with its own database, and so a migrate image.
  databases = {
    "otp-service"   = "otp_service"
    "user-service"  = "user_service"
    "admin-service" = "admin_service"
  }

  # Every app's tasks: size, and the fewest and most of them.
  tasks = var.tasks
  # The processes of each task (PROCESSES): as given, or one per whole vCPU, at least one.
  processes = { for app, size in var.tasks : app => tostring(coalesce(size.processes, max(1, floor(size.cpu / 1024)))) }

  # The gateway believes the X-Forwarded-For of the load balancer (its nodes are in the public
  # subnets); the services believe the gateway's (its tasks are in the private subnets) and their
  # own Service Connect proxy's (loopback).
  gateway_trusted_proxies  = join(",", local.public_subnet_cidrs)
  services_trusted_proxies = join(",", concat(["loopback"], local.private_subnet_cidrs))

  # What each app's container is given, by name: settings as environment, secrets as the ARN of
  # the Secrets Manager secret ECS reads them from when the task starts.
  containers = {
    "otp-service" = {
      environment = {
        NODE_ENV        = "production"
        LOG_LEVEL       = var.log_level
        PROCESSES       = local.processes["otp-service"]
        TRUSTED_PROXIES = local.services_trusted_proxies
        SMS_PROVIDER    = "msg91"
        EMAIL_PROVIDER  = "smtp"
        MAIL_FROM       = var.mail_from
      }
      secrets = {
        DATABASE_URL      = aws_secretsmanager_secret.database_url["otp-service"].arn
        JWT_SECRET        = aws_secretsmanager_secret.suite["JWT_SECRET"].arn
        OTP_PEPPER        = aws_secretsmanager_secret.suite["OTP_PEPPER"].arn
        MSG91_AUTH_KEY    = aws_secretsmanager_secret.suite["MSG91_AUTH_KEY"].arn
        MSG91_TEMPLATE_ID = aws_secretsmanager_secret.suite["MSG91_TEMPLATE_ID"].arn
        SMTP_URL          = aws_secretsmanager_secret.suite["SMTP_URL"].arn
      }
    }
    "user-service" = {
      environment = {
        NODE_ENV         = "production"
        LOG_LEVEL        = var.log_level
        PROCESSES        = local.processes["user-service"]
        TRUSTED_PROXIES  = local.services_trusted_proxies
        OTP_SERVICE_URL  = "http://otp-service:3000"
        ADMIN_BOOTSTRAP  = join(",", var.admin_bootstrap)
        EMAIL_PROVIDER   = "smtp"
        MAIL_FROM        = var.mail_from
        EMAIL_VERIFY_URL = var.email_verify_url
      }
      secrets = {
        DATABASE_URL = aws_secretsmanager_secret.database_url["user-service"].arn
        JWT_SECRET   = aws_secretsmanager_secret.suite["JWT_SECRET"].arn
        SMTP_URL     = aws_secretsmanager_secret.suite["SMTP_URL"].arn
      }
    }
    "admin-service" = {
      environment = {
        NODE_ENV         = "production"
        LOG_LEVEL        = var.log_level
        PROCESSES        = local.processes["admin-service"]
        TRUSTED_PROXIES  = local.services_trusted_proxies
        OTP_SERVICE_URL  = "http://otp-service:3000"
        USER_SERVICE_URL = "http://user-service:3000"
      }
      secrets = {
        DATABASE_URL = aws_secretsmanager_secret.database_url["admin-service"].arn
        JWT_SECRET   = aws_secretsmanager_secret.suite["JWT_SECRET"].arn
      }
    }
    gateway = {
      environment = {
        NODE_ENV           = "production"
        LOG_LEVEL          = var.log_level
        PROCESSES          = local.processes["gateway"]
        TRUSTED_PROXIES    = local.gateway_trusted_proxies
        OTP_SERVICE_URLS   = "http://otp-service:3000"
        USER_SERVICE_URLS  = "http://user-service:3000"
        ADMIN_SERVICE_URLS = "http://admin-service:3000"
        PUBLIC_URL         = var.public_url
        CORS_ORIGINS       = join(",", var.cors_origins)
      }
      secrets = {}
    }
  }

  # The migrate task of each service: its database's URL, and the master role's to make that
  # database's role (database.tf).
  migrate_containers = {
    "otp-service" = {
      environment = { NODE_ENV = "production" }
      secrets = {
        DATABASE_URL       = aws_secretsmanager_secret.database_url["otp-service"].arn
        DATABASE_ADMIN_URL = aws_secretsmanager_secret.database_admin_url.arn
      }
    }
    "user-service" = {
      environment = { NODE_ENV = "production" }
      secrets = {
        DATABASE_URL       = aws_secretsmanager_secret.database_url["user-service"].arn
        DATABASE_ADMIN_URL = aws_secretsmanager_secret.database_admin_url.arn
      }
    }
    "admin-service" = {
      environment = { NODE_ENV = "production" }
      secrets = {
        DATABASE_URL       = aws_secretsmanager_secret.database_url["admin-service"].arn
        DATABASE_ADMIN_URL = aws_secretsmanager_secret.database_admin_url.arn
      }
    }
  }

  # Each app as its ECS service (modules/ecs-service) runs it.
  services = {
    for app, tasks in local.tasks : app => {
      name                = app
      cluster_id          = aws_ecs_cluster.main.id
      namespace_arn       = aws_service_discovery_http_namespace.main.arn
      aws_region          = var.aws_region
      task_definition_arn = aws_ecs_task_definition.app[app].arn
      desired_count       = tasks.min_tasks
      subnet_ids          = local.private_subnet_ids
      security_group_ids  = [app == "gateway" ? aws_security_group.gateway.id : aws_security_group.services.id]
      log_group_name      = aws_cloudwatch_log_group.app[app].name
      discoverable        = app != "gateway"
      target_group_arn    = app == "gateway" ? aws_lb_target_group.gateway.arn : null
    }
  }

  ecs_services = {
    "otp-service"   = module.otp_service
    "user-service"  = module.user_service
    "admin-service" = module.admin_service
    gateway         = module.gateway
  }
}

resource "aws_service_discovery_http_namespace" "main" {
  name        = var.name
  description = "Service Connect names of ${var.name}: otp-service, user-service, admin-service"
}

resource "aws_ecs_cluster" "main" {
  name = var.name

  setting {
    name  = "containerInsights"
    value = "enabled"
  }

  service_connect_defaults {
    namespace = aws_service_discovery_http_namespace.main.arn
  }
}

# One log group per app: its containers (stream prefix app), its Service Connect proxy
# (service-connect) and its migrate tasks (migrate).
resource "aws_cloudwatch_log_group" "app" {
  for_each          = local.tasks
  name              = "/ecs/${var.name}/${each.key}"
  retention_in_days = var.log_retention_days
}

resource "aws_ecs_task_definition" "app" {
  for_each                 = local.tasks
  family                   = "${var.name}-${each.key}"
  requires_compatibilities = ["FARGATE"]
  network_mode             = "awsvpc"
  cpu                      = each.value.cpu
  memory                   = each.value.memory
  execution_role_arn       = aws_iam_role.execution.arn
  task_role_arn            = aws_iam_role.task.arn

  runtime_platform {
    operating_system_family = "LINUX"
    cpu_architecture        = var.cpu_architecture
  }

  container_definitions = jsonencode([{
    name      = each.key
    image     = "${var.image_repository}/otp-suite/${each.key}:${var.image_tag}"
    essential = true
    # The app writes nothing to its disk in production.
    readonlyRootFilesystem = true
    portMappings = [{
      name          = "http"
      containerPort = 3000
      protocol      = "tcp"
      appProtocol   = "http"
    }]
    environment = [for name, value in local.containers[each.key].environment : { name = name, value = value }]
    secrets     = [for name, arn in local.containers[each.key].secrets : { name = name, valueFrom = arn }]
    # The image's own health check, which ECS does not read from the image.
    healthCheck = {
      command     = ["CMD", "node", "-e", "fetch('http://127.0.0.1:3000/health/live').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
      interval    = 10
      timeout     = 3
      retries     = 3
      startPeriod = 20
    }
    logConfiguration = {
      logDriver = "awslogs"
      options = {
        "awslogs-group"         = aws_cloudwatch_log_group.app[each.key].name
        "awslogs-region"        = var.aws_region
        "awslogs-stream-prefix" = "app"
        # A slow CloudWatch Logs drops lines rather than stalling the app.
        "mode"            = "non-blocking"
        "max-buffer-size" = "25m"
      }
    }
  }])

  # A task starts only once its secrets have values and the role may read them.
  depends_on = [
    aws_secretsmanager_secret_version.suite,
    aws_secretsmanager_secret_version.database_url,
    aws_iam_role_policy.execution_secrets,
    aws_iam_role_policy_attachment.execution,
  ]
}

resource "aws_ecs_task_definition" "migrate" {
  for_each                 = local.databases
  family                   = "${var.name}-${each.key}-migrate"
  requires_compatibilities = ["FARGATE"]
  network_mode             = "awsvpc"
  cpu                      = 256
  # The schema engine needs more than the app.
  memory             = 1024
  execution_role_arn = aws_iam_role.execution.arn
  task_role_arn      = aws_iam_role.task.arn

  runtime_platform {
    operating_system_family = "LINUX"
    cpu_architecture        = var.cpu_architecture
  }

  container_definitions = jsonencode([{
    name                   = "migrate"
    image                  = "${var.image_repository}/otp-suite/${each.key}-migrate:${var.image_tag}"
    essential              = true
    readonlyRootFilesystem = true
    environment            = [for name, value in local.migrate_containers[each.key].environment : { name = name, value = value }]
    secrets                = [for name, arn in local.migrate_containers[each.key].secrets : { name = name, valueFrom = arn }]
    logConfiguration = {
      logDriver = "awslogs"
      options = {
        "awslogs-group"         = aws_cloudwatch_log_group.app[each.key].name
        "awslogs-region"        = var.aws_region
        "awslogs-stream-prefix" = "migrate"
      }
    }
  }])

  # It starts only once its secrets have values and the role may read them.
  depends_on = [
    aws_secretsmanager_secret_version.database_url,
    aws_secretsmanager_secret_version.database_admin_url,
    aws_iam_role_policy.execution_secrets,
    aws_iam_role_policy_attachment.execution,
  ]
}

# The services, each created after those it calls: Service Connect names resolve only in tasks
# started after the service behind the name exists. The gateway, which nothing calls, is a Service
# Connect client only, and the one app behind the load balancer.

module "otp_service" {
  source = "./modules/ecs-service"
  app    = local.services["otp-service"]
}

module "user_service" {
  source     = "./modules/ecs-service"
  app        = local.services["user-service"]
  depends_on = [module.otp_service]
}

module "admin_service" {
  source     = "./modules/ecs-service"
  app        = local.services["admin-service"]
  depends_on = [module.otp_service, module.user_service]
}

module "gateway" {
  source = "./modules/ecs-service"
  app    = local.services.gateway
  # The target group must be in a listener's rules before a service can use it.
  depends_on = [aws_lb_listener_rule.gateway, module.otp_service, module.user_service, module.admin_service]
}
