//! `keydesk --demo --screenshots DIR`: shows each view in turn in the real window, waits
//! until its data has loaded, saves what the window shows as `DIR/<view>.png`, then opens
//! the Overview and Licenses again in the light theme (`DIR/<view>-light.png`), the command
//! palette searching users (`DIR/palette.png`), every license selected with a bulk change previewed
//! (`DIR/bulk-preview.png`), then opens a keydesk server profile to show
//! its login prompt (`DIR/login.png`), and closes.

use std::path::PathBuf;
use std::sync::{Arc, Mutex, PoisonError};

use super::app::{Command, ConsoleApp, View};
use super::profiles::Profile;
use super::theme::Theme;

/// One picture of the tour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Step {
    View(View),
    /// A view in the light theme.
    Light(View),
    /// Licenses filtered by a typed filter kept as a saved search (in the side panel).
    Search,
    /// The command palette with a few letters typed.
    Palette,
    /// Every license selected, and the preview of extending them by six months.
    BulkPreview,
    /// A keydesk server profile opened for the first time: its password prompt. Nothing is
    /// sent anywhere: the prompt comes before any connection.
    Login,
}

impl Step {
    fn all() -> impl Iterator<Item = Self> {
        let light = [View::Overview, View::Licenses].map(Self::Light);
        View::ALL.into_iter().map(Self::View).chain(light).chain([
            Self::Search,
            Self::Palette,
            Self::BulkPreview,
            Self::Login,
        ])
    }

    fn slug(self) -> String {
        match self {
            Self::View(view) => view.slug().to_owned(),
            Self::Light(view) => format!("{}-light", view.slug()),
            Self::Search => "saved-search".to_owned(),
            Self::Palette => "palette".to_owned(),
            Self::BulkPreview => "bulk-preview".to_owned(),
            Self::Login => "login".to_owned(),
        }
    }

    fn theme(self) -> Theme {
        if matches!(self, Self::Light(_)) { Theme::Light } else { Theme::Dark }
    }
}

/// Frames to wait after the data of a view has loaded, so that layout settles.
const SETTLE_FRAMES: u32 = 10;

pub struct Tour {
    app: ConsoleApp,
    dir: PathBuf,
    next: usize,
    settled: u32,
    /// Where the window's pixels arrive once a screenshot was asked for.
    shot: Option<Arc<Mutex<Option<Arc<egui::ColorImage>>>>>,
}

impl Tour {
    pub fn new(app: ConsoleApp, dir: PathBuf) -> Self {
        Self { app, dir, next: 0, settled: 0, shot: None }
    }

    fn save_png(&self, step: Step, image: &egui::ColorImage) -> Result<PathBuf, String> {
        std::fs::create_dir_all(&self.dir).map_err(|e| format!("{}: {e}", self.dir.display()))?;
        let path = self.dir.join(format!("{}.png", step.slug()));
        let file = std::fs::File::create(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        let [width, height] = image.size;
        let mut encoder = png::Encoder::new(std::io::BufWriter::new(file), width as u32, height as u32);
        encoder.set_color(png::ColorType::Rgba);
        encoder.set_depth(png::BitDepth::Eight);
        let mut writer = encoder.write_header().map_err(|e| e.to_string())?;
        let bytes: Vec<u8> = image.pixels.iter().flat_map(|p| p.to_array()).collect();
        writer.write_image_data(&bytes).map_err(|e| e.to_string())?;
        Ok(path)
    }
}

impl eframe::App for Tour {
    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        let ctx = ui.ctx().clone();
        let Some(step) = Step::all().nth(self.next) else {
            ctx.send_viewport_cmd(egui::ViewportCommand::Close);
            return;
        };
        if self.app.prefs.theme != step.theme() {
            self.app.apply(Command::ToggleTheme);
            self.settled = 0;
        }
        match step {
            Step::View(view) | Step::Light(view) if self.app.view() != view => {
                self.app.apply(Command::Show(view));
                self.settled = 0;
            }
            Step::Search if self.settled == 0 && self.shot.is_none() => {
                let text = "state:assigned expires:<1y".to_owned();
                self.app.apply(Command::SaveSearch { name: "Keys expiring within a year".into(), text: text.clone() });
                self.app.apply(Command::Search(text));
            }
            Step::Palette if self.settled == 0 && self.shot.is_none() => {
                self.app.apply(Command::Show(View::Users));
                self.app.show_palette("ais");
            }
            Step::BulkPreview if self.app.view() != View::Licenses => {
                self.app.close_palette();
                self.app.apply(Command::Show(View::Licenses));
                self.app.show_bulk_preview();
                self.settled = 0;
            }
            Step::Login if !self.app.asking_for_secret() && !self.app.busy() => {
                let url = "https://keys.example.com".to_owned();
                self.app.apply(Command::OpenProfile(Profile::Remote { url, username: "mara".into(), ca_file: None }));
                self.settled = 0;
            }
            _ => {}
        }
        self.app.ui(ui);
        let arrived = self.shot.as_ref().and_then(|slot| slot.lock().unwrap_or_else(PoisonError::into_inner).take());
        if let Some(image) = arrived {
            match self.save_png(step, &image) {
                Ok(path) => println!("saved {}", path.display()),
                Err(error) => {
                    eprintln!("cannot save the screenshot {}: {error}", step.slug());
                    std::process::exit(1);
                }
            }
            self.shot = None;
            self.next += 1;
        } else if self.shot.is_none() {
            self.settled = if self.app.busy() { 0 } else { self.settled + 1 };
            if self.settled >= SETTLE_FRAMES {
                let slot = Arc::new(Mutex::new(None));
                let (arrival, waker) = (slot.clone(), ctx.clone());
                ctx.request_screenshot(move |image| {
                    *arrival.lock().unwrap_or_else(PoisonError::into_inner) = Some(image);
                    waker.request_repaint();
                });
                self.shot = Some(slot);
            }
        }
        ctx.request_repaint();
    }
}
