# Homebrew formula for {{NAME}} {{VERSION}}, written by crossdock from the release's
# archives and their SHA-256. Put it in a tap (a repository named homebrew-TAP, file
# Formula/{{NAME}}.rb), then: brew install OWNER/TAP/{{NAME}}
class {{CLASS}} < Formula
{{ABOUT}}  version "{{VERSION}}"
{{PLATFORMS}}
  def install
{{INSTALL}}  end

  test do
{{TEST}}  end
end
