# Two roles for the tasks: the execution role, which ECS uses to start them (pull the image, write
# the logs, read the secrets), and the task role, which the apps run as and which may do nothing:
# they call no AWS API.

data "aws_iam_policy_document" "ecs_tasks_assume" {
  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["ecs-tasks.amazonaws.com"]
    }

    # Only for tasks of this account.
    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [data.aws_caller_identity.current.account_id]
    }
  }
}

resource "aws_iam_role" "execution" {
  name               = "${var.name}-ecs-execution"
  description        = "Starts the ${var.name} tasks: pulls their images, writes their logs, reads their secrets"
  assume_role_policy = data.aws_iam_policy_document.ecs_tasks_assume.json
}

resource "aws_iam_role_policy_attachment" "execution" {
  role       = aws_iam_role.execution.name
  policy_arn = "arn:${data.aws_partition.current.partition}:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy"
}

# Exactly the suite's secrets, nothing else in the account.
data "aws_iam_policy_document" "read_secrets" {
  statement {
    actions = ["secretsmanager:GetSecretValue"]
    resources = concat(
      [for secret in aws_secretsmanager_secret.suite : secret.arn],
      [for secret in aws_secretsmanager_secret.database_url : secret.arn],
      [aws_secretsmanager_secret.database_admin_url.arn],
    )
  }
}

resource "aws_iam_role_policy" "execution_secrets" {
  name   = "read-secrets"
  role   = aws_iam_role.execution.id
  policy = data.aws_iam_policy_document.read_secrets.json
}

resource "aws_iam_role" "task" {
  name               = "${var.name}-ecs-task"
  description        = "What the ${var.name} apps run as: no permission"
  assume_role_policy = data.aws_iam_policy_document.ecs_tasks_assume.json
}
