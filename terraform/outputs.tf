output "alb_dns_name" {
  description = "The load balancer's DNS name: point the host of public_url at it (a CNAME, or a Route 53 alias with alb_zone_id)."
  value       = aws_lb.main.dns_name
}

output "alb_zone_id" {
  description = "The load balancer's hosted zone, for a Route 53 alias record."
  value       = aws_lb.main.zone_id
}

output "gateway_url" {
  description = "Where clients reach the gateway once DNS points at the load balancer."
  value       = var.public_url
}

output "cluster_name" {
  description = "The ECS cluster the apps run in."
  value       = aws_ecs_cluster.main.name
}

output "db_endpoint" {
  description = "The PostgreSQL instance's address and port (reachable from the services' tasks only)."
  value       = aws_db_instance.main.endpoint
}

output "secret_arns" {
  description = "The Secrets Manager secrets, by the environment variable they become (DATABASE_URL by service)."
  value = merge(
    { for name, secret in aws_secretsmanager_secret.suite : name => secret.arn },
    { for app, secret in aws_secretsmanager_secret.database_url : "${app}/DATABASE_URL" => secret.arn },
    { DATABASE_ADMIN_URL = aws_secretsmanager_secret.database_admin_url.arn },
  )
}

output "log_groups" {
  description = "Each app's CloudWatch log group (streams app/, service-connect/ and migrate/)."
  value       = { for app, group in aws_cloudwatch_log_group.app : app => group.name }
}

output "migrate_commands" {
  description = "For each service, the command that runs its migrations (this release's migrate image) as a one-off task; run each before the new images go out."
  value = {
    for app in keys(local.databases) : app => join(" ", [
      "aws ecs run-task",
      "--region ${var.aws_region}",
      "--cluster ${aws_ecs_cluster.main.name}",
      "--task-definition ${aws_ecs_task_definition.migrate[app].arn}",
      "--launch-type FARGATE",
      "--started-by migrate",
      "--network-configuration 'awsvpcConfiguration={subnets=[${join(",", local.private_subnet_ids)}],securityGroups=[${aws_security_group.services.id}],assignPublicIp=DISABLED}'",
      "--query 'tasks[0].taskArn' --output text",
    ])
  }
}
