# Who may talk to whom: the internet to the load balancer, the load balancer to the gateway, the
# gateway to the services, the services to each other (user-service calls otp-service,
# admin-service calls both) and to the database. The gateway cannot reach the database.

resource "aws_security_group" "alb" {
  name        = "${var.name}-alb"
  description = "The load balancer: HTTPS and HTTP from anywhere, out to the gateway only"
  vpc_id      = local.vpc_id

  tags = { Name = "${var.name}-alb" }
}

resource "aws_security_group" "gateway" {
  name        = "${var.name}-gateway"
  description = "The gateway tasks: from the load balancer only"
  vpc_id      = local.vpc_id

  tags = { Name = "${var.name}-gateway" }
}

# The three services, and their migrate tasks.
resource "aws_security_group" "services" {
  name        = "${var.name}-services"
  description = "otp-service, user-service and admin-service tasks: from the gateway and each other only"
  vpc_id      = local.vpc_id

  tags = { Name = "${var.name}-services" }
}

resource "aws_security_group" "database" {
  name        = "${var.name}-database"
  description = "PostgreSQL: from the services only"
  vpc_id      = local.vpc_id

  tags = { Name = "${var.name}-database" }
}

# The load balancer

resource "aws_vpc_security_group_ingress_rule" "alb_https" {
  security_group_id = aws_security_group.alb.id
  description       = "HTTPS from anywhere"
  cidr_ipv4         = "0.0.0.0/0"
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
}

resource "aws_vpc_security_group_ingress_rule" "alb_http" {
  security_group_id = aws_security_group.alb.id
  description       = "HTTP from anywhere, redirected to HTTPS"
  cidr_ipv4         = "0.0.0.0/0"
  ip_protocol       = "tcp"
  from_port         = 80
  to_port           = 80
}

resource "aws_vpc_security_group_egress_rule" "alb_to_gateway" {
  security_group_id            = aws_security_group.alb.id
  description                  = "To the gateway tasks"
  referenced_security_group_id = aws_security_group.gateway.id
  ip_protocol                  = "tcp"
  from_port                    = 3000
  to_port                      = 3000
}

# The gateway

resource "aws_vpc_security_group_ingress_rule" "gateway_from_alb" {
  security_group_id            = aws_security_group.gateway.id
  description                  = "From the load balancer"
  referenced_security_group_id = aws_security_group.alb.id
  ip_protocol                  = "tcp"
  from_port                    = 3000
  to_port                      = 3000
}

resource "aws_vpc_security_group_egress_rule" "gateway_to_services" {
  security_group_id            = aws_security_group.gateway.id
  description                  = "To the services"
  referenced_security_group_id = aws_security_group.services.id
  ip_protocol                  = "tcp"
  from_port                    = 3000
  to_port                      = 3000
}

resource "aws_vpc_security_group_egress_rule" "gateway_https" {
  security_group_id = aws_security_group.gateway.id
  description       = "HTTPS out: the image registry, Secrets Manager, CloudWatch Logs, ECS (Service Connect)"
  cidr_ipv4         = "0.0.0.0/0"
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
}

# The services

resource "aws_vpc_security_group_ingress_rule" "services_from_gateway" {
  security_group_id            = aws_security_group.services.id
  description                  = "From the gateway"
  referenced_security_group_id = aws_security_group.gateway.id
  ip_protocol                  = "tcp"
  from_port                    = 3000
  to_port                      = 3000
}

resource "aws_vpc_security_group_ingress_rule" "services_from_services" {
  security_group_id            = aws_security_group.services.id
  description                  = "From each other: user-service calls otp-service, admin-service calls both"
  referenced_security_group_id = aws_security_group.services.id
  ip_protocol                  = "tcp"
  from_port                    = 3000
  to_port                      = 3000
}

# Any port: the SMTP server's is the operator's choice (25, 465, 587, 2525...).
resource "aws_vpc_security_group_egress_rule" "services_out" {
  security_group_id = aws_security_group.services.id
  description       = "Out: the database, each other, MSG91, the SMTP server, AWS APIs"
  cidr_ipv4         = "0.0.0.0/0"
  ip_protocol       = "-1"
}

# The database

resource "aws_vpc_security_group_ingress_rule" "database_from_services" {
  security_group_id            = aws_security_group.database.id
  description                  = "PostgreSQL from the services and their migrate tasks"
  referenced_security_group_id = aws_security_group.services.id
  ip_protocol                  = "tcp"
  from_port                    = 5432
  to_port                      = 5432
}
