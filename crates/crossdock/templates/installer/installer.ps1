# Installs {{NAME}} {{VERSION}} on Windows: downloads the archive for this machine, checks
# its SHA-256 before unpacking it, and copies the binaries into a directory of yours.
# Written by crossdock; run it with
#   powershell -ExecutionPolicy Bypass -c "irm {{SELF_URL}} | iex"
# or, saved, with -To DIR, -AddToPath (adds the directory to your user PATH), -Quiet, -Version.
param(
    [string]$To = '',
    [switch]$AddToPath,
    [switch]$Quiet,
    [switch]$Version
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version 2

$App = '{{NAME}}'
$AppVersion = '{{VERSION}}'

# One entry per archive: CPU, file name, SHA-256, URL, the binaries inside it.
$Archives = @({{ARCHIVES}}
)

function Write-Step([string]$Message) {
    if (-not $Quiet) { Write-Host $Message }
}

# The CPU of the machine, not of this process (a 32-bit shell on 64-bit Windows).
function Get-MachineCpu {
    $arch = $env:PROCESSOR_ARCHITEW6432
    if (-not $arch) { $arch = $env:PROCESSOR_ARCHITECTURE }
    switch ($arch) {
        'AMD64' { return 'x86_64' }
        'ARM64' { return 'aarch64' }
        'x86' { return 'x86' }
        default { return "$arch" }
    }
}

# The archive for $Cpu; Windows on arm64 also runs x86_64 binaries (emulated).
function Select-Archive([string]$Cpu) {
    $wanted = @($Cpu)
    if ($Cpu -eq 'aarch64') { $wanted += 'x86_64' }
    foreach ($w in $wanted) {
        foreach ($a in $Archives) {
            if ($a.Cpu -eq $w) { return $a }
        }
    }
    return $null
}

function Get-InstallDir {
    if ($To) { return $To }
    # The app's own variable, then the one every crossdock installer reads.
    if ($env:{{INSTALL_DIR_VAR}}) { return $env:{{INSTALL_DIR_VAR}} }
    if ($env:CROSSDOCK_INSTALL_DIR) { return $env:CROSSDOCK_INSTALL_DIR }
    $cargoHome = $env:CARGO_HOME
    if (-not $cargoHome -and $env:USERPROFILE) { $cargoHome = Join-Path $env:USERPROFILE '.cargo' }
    if ($cargoHome -and (Test-Path -LiteralPath (Join-Path $cargoHome 'bin') -PathType Container)) {
        return (Join-Path $cargoHome 'bin')
    }
    return (Join-Path $env:LOCALAPPDATA "Programs\$App")
}

function Install-Release {
    $cpu = Get-MachineCpu
    $archive = Select-Archive $cpu
    if ($null -eq $archive) {
        $have = ($Archives | ForEach-Object { $_.Cpu }) -join ', '
        throw "no $App $AppVersion archive fits this machine (Windows $cpu); the release has: $have"
    }
    $dir = Get-InstallDir
    $tmp = Join-Path ([System.IO.Path]::GetTempPath()) ("$App-install-" + [System.Guid]::NewGuid())
    New-Item -ItemType Directory -Path $tmp | Out-Null
    $staged = @()
    try {
        $file = Join-Path $tmp $archive.File
        Write-Step "Downloading $App $AppVersion for Windows $($archive.Cpu) ($($archive.File))"
        $ProgressPreference = 'SilentlyContinue'
        Invoke-WebRequest -Uri $archive.Url -OutFile $file -UseBasicParsing
        $actual = (Get-FileHash -Algorithm SHA256 -LiteralPath $file).Hash.ToLowerInvariant()
        if ($actual -ne $archive.Sha256) {
            throw "$($archive.File) does not match its SHA-256 (expected $($archive.Sha256), got $actual): the download is corrupt or was tampered with; nothing was installed"
        }
        $unpacked = Join-Path $tmp 'unpacked'
        New-Item -ItemType Directory -Path $unpacked | Out-Null
        if ($archive.File.EndsWith('.zip')) {
            Expand-Archive -LiteralPath $file -DestinationPath $unpacked
        } else {
            tar -xf $file -C $unpacked
            if ($LASTEXITCODE -ne 0) { throw "cannot unpack $($archive.File) with tar" }
        }
        New-Item -ItemType Directory -Force -Path $dir | Out-Null
        # Stage every binary next to its final name, then rename them all into place.
        foreach ($path in $archive.Binaries) {
            $source = Join-Path $unpacked $path
            if (-not (Test-Path -LiteralPath $source -PathType Leaf)) { throw "$($archive.File) lacks $path" }
            $name = Split-Path -Leaf $path
            $stage = Join-Path $dir ".$name.crossdock-install"
            Copy-Item -LiteralPath $source -Destination $stage -Force
            $staged += $stage
        }
        $names = @()
        foreach ($path in $archive.Binaries) {
            $name = Split-Path -Leaf $path
            Move-Item -LiteralPath (Join-Path $dir ".$name.crossdock-install") -Destination (Join-Path $dir $name) -Force
            $names += $name
        }
        $staged = @()
        Write-Step "Installed $($names -join ', ') into $dir"
    } finally {
        foreach ($s in $staged) { Remove-Item -LiteralPath $s -Force -ErrorAction SilentlyContinue }
        Remove-Item -LiteralPath $tmp -Recurse -Force -ErrorAction SilentlyContinue
    }
    $userPath = [Environment]::GetEnvironmentVariable('Path', 'User')
    $onPath = ($env:Path -split ';') -contains $dir
    if ($AddToPath) {
        if (-not (($userPath -split ';') -contains $dir)) {
            [Environment]::SetEnvironmentVariable('Path', (@($dir, $userPath) | Where-Object { $_ }) -join ';', 'User')
            Write-Step "Added $dir to your user PATH (new terminals see it)"
        }
    } elseif (-not $onPath) {
        Write-Step "$dir is not on your PATH; run this installer with -AddToPath, or add it in System Properties"
    }
}

if ($Version) {
    Write-Output "$App $AppVersion"
    return
}
try {
    Install-Release
} catch {
    [Console]::Error.WriteLine("$App-installer: error: $($_.Exception.Message)")
    exit 1
}
