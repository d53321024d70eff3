# Elasticsearch's REST port reachable from the VPC only.
variable "vpc_id" {
  type = string
}

variable "allowed_cidrs" {
  type    = list(string)
  default = ["10.20.0.0/16"]
}

resource "aws_security_group" "service" {
  name        = "service"
  description = "service"
  vpc_id      = var.vpc_id

  dynamic "ingress" {
    for_each = [9200]
    content {
      description = "service"
      protocol    = "tcp"
      from_port   = ingress.value
      to_port     = ingress.value
      cidr_blocks = var.allowed_cidrs
    }
  }

  egress {
    from_port   = 0
    to_port     = 0
    protocol    = "-1"
    cidr_blocks = ["0.0.0.0/0"]
  }
}
