# The boot script relies on the instance profile for credentials.
resource "aws_launch_template" "app" {
  name          = "app"
  image_id      = "ami-0c1bc246476a5572b"
  instance_type = "t3.micro"

  user_data = base64encode(<<-EOT
    #!/bin/bash
    # credentials come from the instance profile
    aws s3 sync s3://acme-artifacts /opt/app
  EOT
  )
}
