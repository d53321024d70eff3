# Every protocol and port open to the internet.
variable "vpc_id" {
  type = string
}

resource "aws_security_group" "service" {
  name        = "service"
  description = "service"
  vpc_id      = var.vpc_id

  ingress {
    description = "service"
    protocol    = "-1"
    from_port   = 0
    to_port     = 0
    cidr_blocks = ["0.0.0.0/0"]
  }

  egress {
    from_port   = 0
    to_port     = 0
    protocol    = "-1"
    cidr_blocks = ["0.0.0.0/0"]
  }
}
