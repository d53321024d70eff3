# Remote Desktop open to the internet, written as a VPC ingress rule resource.
variable "vpc_id" {
  type = string
}

locals {
  rdp_source = "0.0.0.0/0"
}

resource "aws_security_group" "bastion" {
  name        = "bastion"
  description = "bastion"
  vpc_id      = var.vpc_id
}

resource "aws_vpc_security_group_ingress_rule" "rdp" {
  security_group_id = aws_security_group.bastion.id
  description       = "rdp"
  ip_protocol       = "tcp"
  from_port         = 3389
  to_port           = 3389
  cidr_ipv4         = local.rdp_source
}
