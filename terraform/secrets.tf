# Every secret of the suite is a Secrets Manager secret, named by the environment variable the apps
# read it as; it reaches a container only through its task definition's `secrets` (ECS reads it
# with the execution role when the task starts), never as plain environment.

resource "random_password" "jwt_secret" {
  length  = 64
  special = false
}

# Random and independent of JWT_SECRET, as otp-service requires.
resource "random_password" "otp_pepper" {
  length  = 64
  special = false
}

locals {
  secret_names = ["JWT_SECRET", "OTP_PEPPER", "MSG91_AUTH_KEY", "MSG91_TEMPLATE_ID", "SMTP_URL"]

  secret_values = {
    JWT_SECRET        = random_password.jwt_secret.result
    OTP_PEPPER        = random_password.otp_pepper.result
    MSG91_AUTH_KEY    = var.msg91_auth_key
    MSG91_TEMPLATE_ID = var.msg91_template_id
    SMTP_URL          = var.smtp_url
  }
}

resource "aws_secretsmanager_secret" "suite" {
  for_each                = toset(local.secret_names)
  name                    = "${var.name}/${each.key}"
  description             = "${each.key} of ${var.name}"
  recovery_window_in_days = var.secret_recovery_window_days
}

resource "aws_secretsmanager_secret_version" "suite" {
  for_each      = aws_secretsmanager_secret.suite
  secret_id     = each.value.id
  secret_string = local.secret_values[each.key]
}

# Each service's role on the instance: the name of its database, a password of its own.
resource "random_password" "service_database" {
  for_each = local.databases
  length   = 40
  # Letters and digits only, as the master password: it goes into the URL as it is.
  special = false
}

# Each service's DATABASE_URL: its own database on the instance, as its own role. TLS is required by the server
# (rds.force_ssl); "no-verify" encrypts without checking the server's certificate, whose RDS
# certificate authority is not among Node's. To check it too, add the RDS CA bundle to the image
# and use sslmode=verify-full&sslrootcert=<its path>.
resource "aws_secretsmanager_secret" "database_url" {
  for_each                = local.databases
  name                    = "${var.name}/${each.key}/DATABASE_URL"
  description             = "DATABASE_URL of ${each.key} (database ${each.value})"
  recovery_window_in_days = var.secret_recovery_window_days
}

resource "aws_secretsmanager_secret_version" "database_url" {
  for_each      = local.databases
  secret_id     = aws_secretsmanager_secret.database_url[each.key].id
  secret_string = "postgres://${each.value}:${urlencode(random_password.service_database[each.key].result)}@${aws_db_instance.main.address}:${aws_db_instance.main.port}/${each.value}?sslmode=no-verify"
}

# The master role's URL, for the migrate tasks alone: what makes each service's role and database.
resource "aws_secretsmanager_secret" "database_admin_url" {
  name                    = "${var.name}/DATABASE_ADMIN_URL"
  description             = "DATABASE_ADMIN_URL of the migrate tasks (the master role of ${var.name})"
  recovery_window_in_days = var.secret_recovery_window_days
}

resource "aws_secretsmanager_secret_version" "database_admin_url" {
  secret_id     = aws_secretsmanager_secret.database_admin_url.id
  secret_string = "postgres://${aws_db_instance.main.username}:${urlencode(random_password.database.result)}@${aws_db_instance.main.address}:${aws_db_instance.main.port}/postgres?sslmode=no-verify"
}
