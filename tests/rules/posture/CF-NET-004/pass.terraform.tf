# Kibana served to the VPC only.
variable "vpc_id" {
  type = string
}

resource "aws_security_group" "service" {
  name        = "service"
  description = "service"
  vpc_id      = var.vpc_id

  ingress {
    description = "service"
    protocol    = "tcp"
    from_port   = 5601
    to_port     = 5601
    cidr_blocks = ["10.20.0.0/16"]
  }

  egress {
    from_port   = 0
    to_port     = 0
    protocol    = "-1"
    cidr_blocks = ["0.0.0.0/0"]
  }
}
