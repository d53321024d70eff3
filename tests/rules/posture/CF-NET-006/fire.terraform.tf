# One group per service from a map; the database's PostgreSQL port is open to the internet.
variable "vpc_id" {
  type = string
}

variable "services" {
  type = map(object({ port = number, cidr = string }))
  default = {
    service = { port = 5432, cidr = "0.0.0.0/0" }
  }
}

resource "aws_security_group" "this" {
  for_each    = var.services
  name        = each.key
  description = each.key
  vpc_id      = var.vpc_id

  ingress {
    description = each.key
    protocol    = "tcp"
    from_port   = each.value.port
    to_port     = each.value.port
    cidr_blocks = [each.value.cidr]
  }

  egress {
    from_port   = 0
    to_port     = 0
    protocol    = "-1"
    cidr_blocks = ["0.0.0.0/0"]
  }
}
