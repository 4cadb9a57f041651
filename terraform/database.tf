# One RDS PostgreSQL 16 instance in the private subnets, holding one database per service
# (otp_service, user_service, admin_service), each owned by a role of the same name that only that
# service is given, as deploy/postgres/init-databases.sh does for docker compose. Terraform's AWS
# provider runs no SQL, so each service's migrate task does it from inside the VPC: with the master
# role (DATABASE_ADMIN_URL, given to the migrate tasks alone) it makes the service's role, or sets
# its password again, and its database, owned by it and closed to the others (what an earlier
# release's migrations made there as the master role is handed over), then applies the pending
# migrations as the service's role.

resource "random_password" "database" {
  length = 40
  # Letters and digits only: the password goes into URLs as it is, and RDS refuses / @ " and spaces.
  special = false
}

resource "aws_db_subnet_group" "main" {
  name        = var.name
  description = "The private subnets of ${var.name}"
  subnet_ids  = local.private_subnet_ids

  lifecycle {
    precondition {
      condition     = length(local.private_subnet_ids) >= 2
      error_message = "private_subnet_ids: two or more subnets in different availability zones."
    }
  }
}

resource "aws_db_parameter_group" "main" {
  name        = "${var.name}-postgres16"
  family      = "postgres16"
  description = "PostgreSQL 16 for ${var.name}: TLS required"

  parameter {
    name  = "rds.force_ssl"
    value = "1"
  }

  # Statements slower than a second are logged.
  parameter {
    name  = "log_min_duration_statement"
    value = "1000"
  }
}

# Made here, so their logs are not kept forever.
resource "aws_cloudwatch_log_group" "database" {
  for_each          = toset(["postgresql", "upgrade"])
  name              = "/aws/rds/instance/${var.name}/${each.key}"
  retention_in_days = var.log_retention_days
}

resource "aws_db_instance" "main" {
  identifier     = var.name
  engine         = "postgres"
  engine_version = "16"
  instance_class = var.db_instance_class

  allocated_storage     = var.db_allocated_storage
  max_allocated_storage = var.db_max_allocated_storage
  storage_type          = "gp3"
  storage_encrypted     = true

  username             = "suite_admin"
  password             = random_password.database.result
  port                 = 5432
  parameter_group_name = aws_db_parameter_group.main.name

  db_subnet_group_name   = aws_db_subnet_group.main.name
  vpc_security_group_ids = [aws_security_group.database.id]
  publicly_accessible    = false
  multi_az               = var.db_multi_az

  backup_retention_period   = var.db_backup_retention_days
  copy_tags_to_snapshot     = true
  deletion_protection       = var.db_deletion_protection
  skip_final_snapshot       = var.db_skip_final_snapshot
  final_snapshot_identifier = "${var.name}-final"

  auto_minor_version_upgrade            = true
  performance_insights_enabled          = var.db_performance_insights
  performance_insights_retention_period = var.db_performance_insights ? 7 : null
  enabled_cloudwatch_logs_exports       = ["postgresql", "upgrade"]

  tags       = { Name = var.name }
  depends_on = [aws_cloudwatch_log_group.database]
}
