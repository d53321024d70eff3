# The database password comes from Secrets Manager through the `secrets` list.
locals {
  db_secret_arn = "arn:aws:secretsmanager:eu-west-1:111122223333:secret:prod/api/db-Xk3PzQ"
  containers = [{
    name      = "api"
    image     = "111122223333.dkr.ecr.eu-west-1.amazonaws.com/api:1.4.2"
    essential = true
    portMappings = [{
      containerPort = 8080
      hostPort      = 8080
      protocol      = "tcp"
    }]
    environment = [
      { name = "LOG_LEVEL", value = "info" },
    ]
    secrets = [
      { name = "DB_PASSWORD", valueFrom = local.db_secret_arn },
    ]
  }]
}

resource "aws_ecs_task_definition" "api" {
  family                   = "api"
  cpu                      = "256"
  memory                   = "512"
  network_mode             = "awsvpc"
  requires_compatibilities = ["FARGATE"]
  container_definitions    = jsonencode(local.containers)
}
