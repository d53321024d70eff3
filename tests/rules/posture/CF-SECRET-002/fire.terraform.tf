# The database password is written into the container's plain environment.
locals {
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
      { name = "DB_PASSWORD", value = "Tr0ub4dor-and-3" },
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
