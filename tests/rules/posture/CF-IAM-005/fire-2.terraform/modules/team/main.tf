variable "name" {
  type = string
}

variable "policy" {
  description = "JSON policy attached inline to the group"
  type        = string
}

resource "aws_iam_group" "this" {
  name = var.name
  path = "/"
}

resource "aws_iam_group_policy" "this" {
  name   = var.name
  group  = aws_iam_group.this.name
  policy = var.policy
}
