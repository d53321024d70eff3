# Every engineer in the map gets a user; alice's entry attaches AdministratorAccess.
variable "engineers" {
  type = map(string)
  default = {
    alice = "AdministratorAccess"
  }
}

resource "aws_iam_user" "this" {
  for_each = var.engineers
  name     = each.key
  path     = "/"
}

resource "aws_iam_user_policy_attachment" "this" {
  for_each   = var.engineers
  user       = aws_iam_user.this[each.key].name
  policy_arn = "arn:aws:iam::aws:policy/${each.value}"
}
