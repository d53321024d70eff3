# The bastion accepts SSH from the office network only.
variable "vpc_id" {
  type = string
}

variable "admin_cidrs" {
  type    = list(string)
  default = ["10.20.0.0/16"]
}

resource "aws_security_group" "bastion" {
  name        = "bastion"
  description = "bastion"
  vpc_id      = var.vpc_id
}

resource "aws_security_group_rule" "ssh" {
  type              = "ingress"
  description       = "ssh"
  protocol          = "tcp"
  from_port         = 22
  to_port           = 22
  cidr_blocks       = var.admin_cidrs
  security_group_id = aws_security_group.bastion.id
}
