# ---------------------------------------------------------------------------------------------
# The deployment
# ---------------------------------------------------------------------------------------------

variable "name" {
  description = "Prefix of every resource's name (the cluster, the database, the load balancer, the secrets)."
  type        = string
  default     = "otp-suite"

  validation {
    # The load balancer's target group adds "-gateway" and may have 32 characters.
    condition     = can(regex("^[a-z]([a-z0-9-]{0,22}[a-z0-9])?$", var.name))
    error_message = "name: lowercase letters, digits and hyphens, starting with a letter, at most 24 characters."
  }
}

variable "aws_region" {
  description = "The AWS region to deploy to, e.g. us-east-1."
  type        = string

  validation {
    condition     = can(regex("^[a-z]{2}(-[a-z]+)+-[0-9]$", var.aws_region))
    error_message = "aws_region: a region name such as us-east-1."
  }
}

variable "tags" {
  description = "Tags added to every resource, besides Project, Deployment and ManagedBy."
  type        = map(string)
  default     = {}
}

# ---------------------------------------------------------------------------------------------
# Network: a VPC of its own, or an existing one
# ---------------------------------------------------------------------------------------------

variable "vpc_id" {
  description = "An existing VPC to deploy into, with public_subnet_ids and private_subnet_ids; null creates a VPC of its own."
  type        = string
  default     = null
}

variable "public_subnet_ids" {
  description = "With vpc_id: two or more public subnets in different availability zones, for the load balancer."
  type        = list(string)
  default     = []
}

variable "private_subnet_ids" {
  description = "With vpc_id: two or more private subnets in different availability zones, with a route out (a NAT gateway), for the tasks and the database."
  type        = list(string)
  default     = []
}

variable "vpc_cidr" {
  description = "The address range of the VPC created when vpc_id is null; each of its four subnets takes a sixteenth of it."
  type        = string
  default     = "10.0.0.0/16"

  validation {
    condition     = can(cidrhost(var.vpc_cidr, 0)) && tonumber(split("/", var.vpc_cidr)[1]) <= 20
    error_message = "vpc_cidr: an IPv4 range of /20 or larger, e.g. 10.0.0.0/16."
  }
}

variable "single_nat_gateway" {
  description = "One NAT gateway for both availability zones (cheaper) instead of one in each (the tasks of one zone keep their way out when the other zone fails)."
  type        = bool
  default     = true
}

# ---------------------------------------------------------------------------------------------
# Images
# ---------------------------------------------------------------------------------------------

variable "image_repository" {
  description = "The registry the images were pushed to, without a trailing slash, e.g. 123456789012.dkr.ecr.us-east-1.amazonaws.com; the images are <image_repository>/otp-suite/<app>:<image_tag> and <image_repository>/otp-suite/<app>-migrate:<image_tag>."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9.-]*(:[0-9]+)?(/[a-z0-9._-]+)*$", var.image_repository))
    error_message = "image_repository: a registry host (and path), without a scheme or a trailing slash."
  }
}

variable "image_tag" {
  description = "The tag of the release to run (the same for every image): a version or a commit, never reused."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$", var.image_tag))
    error_message = "image_tag: a Docker tag (letters, digits, _, . and -, at most 128 characters)."
  }
}

variable "cpu_architecture" {
  description = "The architecture the images were built for: X86_64, or ARM64 (Graviton, about 20% cheaper)."
  type        = string
  default     = "X86_64"

  validation {
    condition     = contains(["X86_64", "ARM64"], var.cpu_architecture)
    error_message = "cpu_architecture: X86_64 or ARM64."
  }
}

# ---------------------------------------------------------------------------------------------
# The public entry
# ---------------------------------------------------------------------------------------------

variable "certificate_arn" {
  description = "The ACM certificate of the public host name (in aws_region), for the load balancer's HTTPS listener."
  type        = string

  validation {
    condition     = startswith(var.certificate_arn, "arn:aws:acm:") || startswith(var.certificate_arn, "arn:aws-us-gov:acm:") || startswith(var.certificate_arn, "arn:aws-cn:acm:")
    error_message = "certificate_arn: the ARN of an ACM certificate (arn:aws:acm:<region>:<account>:certificate/<id>)."
  }
}

variable "public_url" {
  description = "Where clients reach the gateway, e.g. https://api.example.com (its host points at the load balancer); the gateway's PUBLIC_URL."
  type        = string

  validation {
    condition     = can(regex("^https://[^\\s/]+(/[^\\s]*[^\\s/])?$", var.public_url))
    error_message = "public_url: an https:// URL without a trailing slash."
  }
}

variable "cors_origins" {
  description = "Browser origins allowed to call the API, e.g. [\"https://app.example.com\"]; none by default (the gateway's CORS_ORIGINS)."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for origin in var.cors_origins : can(regex("^https?://[^\\s/,]+$", origin))])
    error_message = "cors_origins: origins such as https://app.example.com (a scheme and a host, no path)."
  }
}

# ---------------------------------------------------------------------------------------------
# What the apps are told
# ---------------------------------------------------------------------------------------------

variable "log_level" {
  description = "The apps' LOG_LEVEL."
  type        = string
  default     = "info"

  validation {
    condition     = contains(["fatal", "error", "warn", "info", "debug", "trace", "silent"], var.log_level)
    error_message = "log_level: fatal, error, warn, info, debug, trace or silent."
  }
}

variable "mail_from" {
  description = "The sender of the emails (codes and address confirmations), e.g. no-reply@example.com (MAIL_FROM)."
  type        = string

  validation {
    condition     = can(regex("@", var.mail_from))
    error_message = "mail_from: an email address, or a name and an address (\"Example <no-reply@example.com>\")."
  }
}

variable "email_verify_url" {
  description = "The page that confirms an email address; the link mailed is this followed by the token, e.g. https://app.example.com/verify-email#token= (after #, the token reaches no server log; the gateway serves such a page at /verify-email) (EMAIL_VERIFY_URL)."
  type        = string

  validation {
    condition     = startswith(var.email_verify_url, "https://")
    error_message = "email_verify_url: an https:// URL."
  }
}

variable "admin_bootstrap" {
  description = "Phones and emails that get the admin role when their user is first created, e.g. [\"+15550001111\", \"ops@example.com\"] (ADMIN_BOOTSTRAP)."
  type        = list(string)
  default     = []
}

# ---------------------------------------------------------------------------------------------
# Secrets given here (JWT_SECRET, OTP_PEPPER and the database password are generated)
# ---------------------------------------------------------------------------------------------

variable "msg91_auth_key" {
  description = "The MSG91 auth key SMS are sent with (MSG91_AUTH_KEY). Stored in Secrets Manager; better given as TF_VAR_msg91_auth_key than written in a file."
  type        = string
  sensitive   = true

  validation {
    condition     = length(trimspace(var.msg91_auth_key)) > 0
    error_message = "msg91_auth_key: required (otp-service sends SMS through MSG91)."
  }
}

variable "msg91_template_id" {
  description = "The MSG91 template the SMS use, carrying ##OTP## (MSG91_TEMPLATE_ID). Stored in Secrets Manager."
  type        = string
  sensitive   = true

  validation {
    condition     = length(trimspace(var.msg91_template_id)) > 0
    error_message = "msg91_template_id: required (otp-service sends SMS through MSG91)."
  }
}

variable "smtp_url" {
  description = "The SMTP server emails go through, with its credentials, e.g. smtps://user:password@email-smtp.us-east-1.amazonaws.com:465 (SMTP_URL). Stored in Secrets Manager; better given as TF_VAR_smtp_url than written in a file."
  type        = string
  sensitive   = true

  validation {
    condition     = can(regex("^smtps?://", var.smtp_url))
    error_message = "smtp_url: an smtp:// or smtps:// URL."
  }
}

variable "secret_recovery_window_days" {
  description = "Days a deleted secret can still be restored (0 deletes it at once, so the same names can be created again right away)."
  type        = number
  default     = 7

  validation {
    condition     = var.secret_recovery_window_days == 0 || (var.secret_recovery_window_days >= 7 && var.secret_recovery_window_days <= 30)
    error_message = "secret_recovery_window_days: 0, or from 7 to 30."
  }
}

# ---------------------------------------------------------------------------------------------
# The database
# ---------------------------------------------------------------------------------------------

variable "db_instance_class" {
  description = "The RDS PostgreSQL instance class."
  type        = string
  default     = "db.t4g.micro"

  validation {
    condition     = startswith(var.db_instance_class, "db.")
    error_message = "db_instance_class: an RDS instance class such as db.t4g.micro or db.m7g.large."
  }
}

variable "db_allocated_storage" {
  description = "The database's storage in GiB (gp3, at least 20)."
  type        = number
  default     = 20

  validation {
    condition     = var.db_allocated_storage >= 20 && var.db_allocated_storage <= 65536
    error_message = "db_allocated_storage: from 20 to 65536 GiB."
  }
}

variable "db_max_allocated_storage" {
  description = "How far RDS may grow the storage by itself, in GiB; 0 turns storage autoscaling off."
  type        = number
  default     = 100

  validation {
    condition     = var.db_max_allocated_storage == 0 || var.db_max_allocated_storage >= 20
    error_message = "db_max_allocated_storage: 0, or at least the allocated storage."
  }
}

variable "db_multi_az" {
  description = "A standby in a second availability zone that RDS fails over to (about twice the database's cost)."
  type        = bool
  default     = false
}

variable "db_backup_retention_days" {
  description = "Days of automated backups (point-in-time recovery) kept."
  type        = number
  default     = 7

  validation {
    condition     = var.db_backup_retention_days >= 1 && var.db_backup_retention_days <= 35
    error_message = "db_backup_retention_days: from 1 to 35 (0 would turn backups off)."
  }
}

variable "db_deletion_protection" {
  description = "Refuse to delete the database; set false (and apply) before a terraform destroy."
  type        = bool
  default     = true
}

variable "db_skip_final_snapshot" {
  description = "Delete the database without a final snapshot (only for a throwaway deployment)."
  type        = bool
  default     = false
}

variable "db_performance_insights" {
  description = "Performance Insights on the database (7 days kept, free); not every instance class offers it."
  type        = bool
  default     = false
}

# ---------------------------------------------------------------------------------------------
# The tasks: size and count of each app
# ---------------------------------------------------------------------------------------------

variable "tasks" {
  description = "Each app's tasks: Fargate CPU units and memory (MiB) of each, the fewest and most tasks autoscaling keeps, and the processes each task runs (PROCESSES; one per whole vCPU, at least one, when not given). Give every app when changing it."
  type = map(object({
    cpu       = optional(number, 256)
    memory    = optional(number, 512)
    min_tasks = optional(number, 1)
    max_tasks = optional(number, 4)
    processes = optional(number)
  }))
  default = {
    "otp-service"   = {}
    "user-service"  = {}
    "admin-service" = {}
    # One per zone behind the load balancer.
    gateway = { min_tasks = 2 }
  }

  validation {
    condition     = length(setsubtract(keys(var.tasks), ["otp-service", "user-service", "admin-service", "gateway"])) == 0 && length(var.tasks) == 4
    error_message = "tasks: one entry for each of otp-service, user-service, admin-service and gateway."
  }
  validation {
    condition     = alltrue([for size in values(var.tasks) : contains([256, 512, 1024, 2048, 4096, 8192, 16384], size.cpu) && size.memory >= 2 * size.cpu && size.memory <= 8 * size.cpu])
    error_message = "tasks: cpu is 256, 512, 1024, 2048, 4096, 8192 or 16384, and memory from twice to eight times cpu (a Fargate size)."
  }
  validation {
    condition     = alltrue([for size in values(var.tasks) : size.processes == null || try(size.processes >= 1 && floor(size.processes) == size.processes, false)])
    error_message = "tasks: processes is a whole number, 1 or more."
  }
  validation {
    condition     = alltrue([for size in values(var.tasks) : size.min_tasks >= 1 && size.min_tasks <= size.max_tasks])
    error_message = "tasks: 1 <= min_tasks <= max_tasks."
  }
}

variable "cpu_target_percent" {
  description = "The average CPU use of an app's tasks that autoscaling keeps, adding tasks above it and removing them below."
  type        = number
  default     = 60

  validation {
    condition     = var.cpu_target_percent >= 10 && var.cpu_target_percent <= 90
    error_message = "cpu_target_percent: from 10 to 90."
  }
}

# ---------------------------------------------------------------------------------------------
# Logs
# ---------------------------------------------------------------------------------------------

variable "log_retention_days" {
  description = "Days the apps' and the database's logs are kept in CloudWatch Logs."
  type        = number
  default     = 30

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_days)
    error_message = "log_retention_days: one of CloudWatch Logs' retention periods (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, ... 3653)."
  }
}
