# One app of the suite as an ECS Fargate service: in the private subnets, rolled back when a
# deployment fails, in the Service Connect namespace (registered under its name when others call
# it), and behind the load balancer when it is given a target group.

terraform {
  required_providers {
    aws = {
      source = "hashicorp/aws"
    }
  }
}

variable "app" {
  description = "The app: its name, cluster, task definition, count, network, logs, and whether others call it or a load balancer sends to it"
  type = object({
    name                = string
    cluster_id          = string
    namespace_arn       = string
    aws_region          = string
    task_definition_arn = string
    desired_count       = number
    subnet_ids          = list(string)
    security_group_ids  = list(string)
    log_group_name      = string
    discoverable        = bool
    target_group_arn    = optional(string)
  })
}

resource "aws_ecs_service" "this" {
  name                               = var.app.name
  cluster                            = var.app.cluster_id
  task_definition                    = var.app.task_definition_arn
  desired_count                      = var.app.desired_count
  launch_type                        = "FARGATE"
  platform_version                   = "LATEST"
  propagate_tags                     = "SERVICE"
  enable_ecs_managed_tags            = true
  deployment_minimum_healthy_percent = 100
  deployment_maximum_percent         = 200
  health_check_grace_period_seconds  = var.app.target_group_arn == null ? null : 60

  deployment_circuit_breaker {
    enable   = true
    rollback = true
  }

  network_configuration {
    subnets          = var.app.subnet_ids
    security_groups  = var.app.security_group_ids
    assign_public_ip = false
  }

  dynamic "load_balancer" {
    for_each = var.app.target_group_arn == null ? [] : [var.app.target_group_arn]
    content {
      target_group_arn = load_balancer.value
      container_name   = var.app.name
      container_port   = 3000
    }
  }

  service_connect_configuration {
    enabled   = true
    namespace = var.app.namespace_arn

    dynamic "service" {
      for_each = var.app.discoverable ? [var.app.name] : []
      content {
        port_name      = "http"
        discovery_name = service.value

        client_alias {
          dns_name = service.value
          port     = 3000
        }
      }
    }

    log_configuration {
      log_driver = "awslogs"
      options = {
        "awslogs-group"         = var.app.log_group_name
        "awslogs-region"        = var.app.aws_region
        "awslogs-stream-prefix" = "service-connect"
      }
    }
  }

  # Autoscaling sets the count once the service exists.
  lifecycle {
    ignore_changes = [desired_count]
  }
}

output "name" {
  description = "The service's name"
  value       = aws_ecs_service.this.name
}
