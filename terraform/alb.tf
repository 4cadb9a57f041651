# The public entry: an Application Load Balancer in the public subnets, in front of the gateway
# only. HTTPS on 443 with the certificate given; HTTP on 80 is redirected there.

resource "aws_lb" "main" {
  name               = var.name
  load_balancer_type = "application"
  internal           = false
  security_groups    = [aws_security_group.alb.id]
  subnets            = local.public_subnet_ids
  # Requests with header names that are not valid HTTP are refused, not passed on.
  drop_invalid_header_fields = true
  idle_timeout               = 60

  lifecycle {
    precondition {
      condition     = length(local.public_subnet_ids) >= 2
      error_message = "public_subnet_ids: two or more subnets in different availability zones."
    }
  }
}

resource "aws_lb_target_group" "gateway" {
  name                 = "${var.name}-gateway"
  port                 = 3000
  protocol             = "HTTP"
  target_type          = "ip"
  vpc_id               = local.vpc_id
  deregistration_delay = 30

  # Liveness, not readiness: the gateway's /health/ready is down whenever one service is, for every
  # gateway task alike, and ECS replaces the tasks that fail this check; readiness would have it
  # replace every gateway during an outage of admin-service, taking sign-in down with it.
  health_check {
    path                = "/health/live"
    matcher             = "200"
    interval            = 15
    timeout             = 5
    healthy_threshold   = 2
    unhealthy_threshold = 3
  }
}

resource "aws_lb_listener" "https" {
  load_balancer_arn = aws_lb.main.arn
  port              = 443
  protocol          = "HTTPS"
  ssl_policy        = "ELBSecurityPolicy-TLS13-1-2-2021-06"
  certificate_arn   = var.certificate_arn

  # What the gateway does not serve publicly (its /metrics names the instances) is answered here,
  # in the suite's error shape.
  default_action {
    type = "fixed-response"

    fixed_response {
      content_type = "application/json"
      status_code  = "404"
      message_body = jsonencode({ statusCode = 404, code = "NOT_FOUND", error = "Not Found", message = "Route not found" })
    }
  }
}

# The gateway's public routes: the API, its document and the health checks.
resource "aws_lb_listener_rule" "gateway" {
  listener_arn = aws_lb_listener.https.arn
  priority     = 10

  condition {
    path_pattern {
      values = ["/api/*", "/docs", "/docs/*", "/health", "/health/*"]
    }
  }

  action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.gateway.arn
  }
}

# The admin dashboard's page, which the gateway serves (a rule of its own: a rule takes five paths).
resource "aws_lb_listener_rule" "admin_dashboard" {
  listener_arn = aws_lb_listener.https.arn
  priority     = 11

  condition {
    path_pattern {
      values = ["/admin", "/admin/*"]
    }
  }

  action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.gateway.arn
  }
}

resource "aws_lb_listener" "http" {
  load_balancer_arn = aws_lb.main.arn
  port              = 80
  protocol          = "HTTP"

  default_action {
    type = "redirect"

    redirect {
      port        = "443"
      protocol    = "HTTPS"
      status_code = "HTTP_301"
    }
  }
}
