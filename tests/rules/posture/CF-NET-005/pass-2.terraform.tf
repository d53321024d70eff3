# A bastion group that lets in any traffic, from the VPC only.
variable "vpc_id" {
  type = string
}

variable "trusted_cidr" {
  type    = string
  default = "10.20.0.0/16"
}

resource "aws_security_group" "bastion" {
  name        = "bastion"
  description = "bastion"
  vpc_id      = var.vpc_id
}

resource "aws_vpc_security_group_ingress_rule" "any" {
  security_group_id = aws_security_group.bastion.id
  description       = "any"
  ip_protocol       = "-1"
  cidr_ipv4         = var.trusted_cidr
}
