// Routes: the project list, a project's text table and its labelling view. Hash history, so the
// app works from file:// in Electron as well as over the loopback bridge.
import { createRouter, createWebHashHistory } from 'vue-router'
import ProjectsView from './views/ProjectsView.vue'
import ProjectLayout from './views/ProjectLayout.vue'
import DatasetView from './views/DatasetView.vue'
import LabellingView from './views/LabellingView.vue'

export const router = createRouter({
  history: createWebHashHistory(),
  routes: [
    { path: '/', name: 'projects', component: ProjectsView },
    {
      path: '/projects/:projectId',
      component: ProjectLayout,
      props: (route) => ({ projectId: Number(route.params.projectId) }),
      children: [
        { path: '', redirect: (to) => ({ name: 'texts', params: to.params }) },
        { path: 'texts', name: 'texts', component: DatasetView },
        { path: 'label', name: 'label', component: LabellingView },
      ],
    },
    { path: '/:pathMatch(.*)*', redirect: '/' },
  ],
})
