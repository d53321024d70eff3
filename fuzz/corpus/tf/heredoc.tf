data "aws_iam_policy_document" "p" {
  statement {
    actions   = ["s3:GetObject"]
    resources = ["${aws_s3_bucket.b.arn}/*"]
    principals {
      type        = "*"
      identifiers = ["*"]
    }
  }
}
policy = <<-EOT
  {"Version": "2012-10-17", %{ if var.on }"x": 1%{ else }"y": 2%{ endif }}
  EOT
# cloudfort:ignore CF-S3-001 reason
/* c */ s = "\u00e9\t$${lit}%%{x} ${~ var.a ~} %{ for i in var.l ~}${i}%{ endfor }"
